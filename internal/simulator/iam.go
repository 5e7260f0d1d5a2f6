package simulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/signer"
)

// HeaderAuthToken carries an IAM token on API calls; HeaderSubjectToken returns it from IAM.
const (
	HeaderAuthToken    = "X-Auth-Token"
	HeaderSubjectToken = "X-Subject-Token"
)

// expiresLayout is the time layout of token.expires_at, as IAM writes it.
const expiresLayout = "2006-01-02T15:04:05.000000Z"

// token is an issued IAM token.
type token struct {
	expires time.Time
	scoped  bool // scoped to the project; unscoped tokens serve IAM only
}

// serveIAM handles the IAM paths.
func (s *Server) serveIAM(r *http.Request, body []byte) response {
	switch {
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodPost:
		return s.issueToken(body)
	case r.URL.Path == "/v3/projects" && r.Method == http.MethodGet:
		if resp, ok := s.authenticate(r, body, false); !ok {
			return resp
		}
		return s.listProjects(r.URL.Query().Get("name"), r.URL.Query().Has("name"))
	default:
		return gatewayError(http.StatusMethodNotAllowed, "APIGW.0101",
			"method "+r.Method+" is not allowed on this path")
	}
}

// tokenRequest is the password body of POST /v3/auth/tokens.
type tokenRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope *struct {
			Project *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// issueToken checks a password login and issues a token, scoped when the body names the
// project by id or by name.
func (s *Server) issueToken(body []byte) response {
	var req tokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return gatewayError(http.StatusBadRequest, "IAM.0005", "The request body is invalid.")
	}
	id := req.Auth.Identity
	if !contains(id.Methods, "password") {
		return gatewayError(http.StatusBadRequest, "IAM.0005",
			"The request body is invalid: methods must contain password.")
	}
	user := id.Password.User
	if !s.passwordOK(user.Name, user.Password, user.Domain.Name) {
		return gatewayError(http.StatusUnauthorized, "IAM.0011",
			"The username or password is wrong.")
	}

	scoped := false
	if req.Auth.Scope != nil && req.Auth.Scope.Project != nil {
		p := req.Auth.Scope.Project
		if p.ID != "" && p.ID != s.projectID || p.ID == "" && p.Name != s.region {
			return gatewayError(http.StatusUnauthorized, "IAM.0011",
				"The project in the scope does not exist.")
		}
		scoped = true
	}

	s.mu.Lock()
	now := s.now()
	value := newToken()
	expires := now.Add(s.tokenTTL)
	s.tokens[value] = token{expires: expires, scoped: scoped}
	s.mu.Unlock()

	type named struct {
		ID   string `json:"id,omitempty"`
		Name string `json:"name"`
	}
	type tokenBody struct {
		ExpiresAt string   `json:"expires_at"`
		IssuedAt  string   `json:"issued_at"`
		Methods   []string `json:"methods"`
		Project   *named   `json:"project,omitempty"`
		User      named    `json:"user"`
	}
	tb := tokenBody{
		ExpiresAt: expires.UTC().Format(expiresLayout),
		IssuedAt:  now.UTC().Format(expiresLayout),
		Methods:   []string{"password"},
		User:      named{Name: user.Name},
	}
	if scoped {
		tb.Project = &named{ID: s.projectID, Name: s.region}
	}
	return response{
		status: http.StatusCreated,
		header: http.Header{HeaderSubjectToken: {value}},
		body:   marshal(map[string]tokenBody{"token": tb}),
	}
}

// passwordOK checks a password login. With authentication off any login is accepted.
func (s *Server) passwordOK(name, password, domain string) bool {
	if s.authOff() {
		return true
	}
	for _, u := range s.users {
		if u.Name == name && u.Password == password && (u.Domain == "" || u.Domain == domain) {
			return true
		}
	}
	return false
}

// listProjects answers GET /v3/projects, filtered by name when one is given.
func (s *Server) listProjects(name string, filter bool) response {
	type project struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	projects := []project{}
	if !filter || name == s.region {
		projects = append(projects, project{ID: s.projectID, Name: s.region})
	}
	return response{status: http.StatusOK, body: marshal(map[string][]project{
		"projects": projects,
	})}
}

func (s *Server) authOff() bool { return len(s.credentials) == 0 && len(s.users) == 0 }

// authenticate checks the X-Auth-Token or the AK/SK signature of a request. needScope refuses
// unscoped tokens (CSS calls). On failure it returns the 401 answer.
func (s *Server) authenticate(r *http.Request, body []byte, needScope bool) (response, bool) {
	if s.authOff() {
		return response{}, true
	}

	var reasons []string
	if value := r.Header.Get(HeaderAuthToken); value != "" {
		err := s.checkToken(value, needScope)
		if err == nil {
			return response{}, true
		}
		reasons = append(reasons, err.Error())
	}
	if r.Header.Get(signer.HeaderAuthorization) != "" {
		_, err := signer.Verify(r, body, func(ak string) (string, bool) {
			sk, ok := s.credentials[ak]
			return sk, ok
		})
		if err == nil {
			return response{}, true
		}
		reasons = append(reasons, "signature: "+err.Error())
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no X-Auth-Token and no Authorization header")
	}
	return gatewayError(http.StatusUnauthorized, "APIGW.0301",
		"Incorrect IAM authentication information: "+strings.Join(reasons, "; ")), false
}

// checkToken validates an X-Auth-Token value.
func (s *Server) checkToken(value string, needScope bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	t, ok := s.tokens[value]
	switch {
	case !ok:
		return errors.New("token: unknown or revoked")
	case !s.now().Before(t.expires):
		return errors.New("token: expired")
	case needScope && !t.scoped:
		return errors.New("token: not scoped to a project")
	}
	return nil
}

// newToken returns a random token value in the style of IAM's (long, base64-like).
func newToken() string {
	var b [96]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("simulator: reading random bytes: %v", err))
	}
	return "MII" + base64.RawURLEncoding.EncodeToString(b[:])
}
