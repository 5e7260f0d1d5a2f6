package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/signer"
	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

func tokenBody(user, password, domain, scope string) string {
	return `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user +
		`","password":"` + password + `","domain":{"name":"` + domain + `"}}}}` + scope + `}}`
}

const (
	scopeByID   = `,"scope":{"project":{"id":"` + testProject + `"}}`
	scopeByName = `,"scope":{"project":{"name":"eu-de"}}`
)

// login gets a token and fails unless IAM answers 201.
func (f *fixture) login(scope string) (string, result) {
	f.t.Helper()
	r, err := f.send(http.MethodPost, "/v3/auth/tokens", tokenBody("alice", "pw", "dom", scope),
		false, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.status != http.StatusCreated {
		f.t.Fatalf("login: status %d body %s, want 201", r.status, r.body)
	}
	value := r.header.Get("X-Subject-Token")
	if value == "" {
		f.t.Fatal("login: no X-Subject-Token header")
	}
	return value, r
}

// withToken sends an unsigned request carrying an X-Auth-Token.
func (f *fixture) withToken(method, path, value string) result {
	f.t.Helper()
	r, err := f.send(method, path, "", false, func(req *http.Request) {
		req.Header.Set("X-Auth-Token", value)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func TestIAM_tokenFlow(t *testing.T) {
	f := newFixture(t, func(o *simulator.Options) { o.TokenTTL = time.Hour })

	value, r := f.login(scopeByID)
	var body struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			Project   struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("token body %q: %v", r.body, err)
	}
	if body.Token.Project.ID != testProject || body.Token.Project.Name != "eu-de" {
		t.Fatalf("token project %s %s, want %s eu-de", body.Token.Project.ID,
			body.Token.Project.Name, testProject)
	}
	expires, err := time.Parse(time.RFC3339, body.Token.ExpiresAt)
	if err != nil || !strings.HasSuffix(body.Token.ExpiresAt, "Z") {
		t.Fatalf("expires_at %q is not RFC 3339 UTC: %v", body.Token.ExpiresAt, err)
	}
	if want := f.clock.Now().Add(time.Hour); !expires.Equal(want) {
		t.Fatalf("expires_at %s, want %s", expires, want)
	}

	if r := f.withToken(http.MethodGet, tasksPath(testCluster), value); r.status != 200 {
		t.Fatalf("list with token: status %d body %s", r.status, r.body)
	}

	f.clock.Advance(time.Hour)
	wantError(t, f.withToken(http.MethodGet, tasksPath(testCluster), value),
		http.StatusUnauthorized, "APIGW.0301")
}

func TestIAM_scopeByNameAndExpireTokens(t *testing.T) {
	f := newFixture(t, nil)
	value, _ := f.login(scopeByName)
	second, _ := f.login(scopeByID)
	if value == second {
		t.Fatal("two logins returned the same token")
	}
	if r := f.withToken(http.MethodGet, tasksPath(testCluster), value); r.status != 200 {
		t.Fatalf("list with name-scoped token: status %d body %s", r.status, r.body)
	}

	f.sim.ExpireTokens()
	for _, v := range []string{value, second} {
		r := f.withToken(http.MethodGet, tasksPath(testCluster), v)
		wantError(t, r, http.StatusUnauthorized, "APIGW.0301")
		if strings.Contains(r.body, v) {
			t.Fatal("the 401 body echoes the token")
		}
	}

	third, _ := f.login(scopeByID)
	if r := f.withToken(http.MethodGet, tasksPath(testCluster), third); r.status != 200 {
		t.Fatalf("a token issued after ExpireTokens: status %d", r.status)
	}
}

func TestIAM_wrongCredentials(t *testing.T) {
	f := newFixture(t, nil)
	cases := map[string]string{
		"wrong password": tokenBody("alice", "nope", "dom", scopeByID),
		"wrong user":     tokenBody("bob", "pw", "dom", scopeByID),
		"wrong domain":   tokenBody("alice", "pw", "other", scopeByID),
		"wrong project":  tokenBody("alice", "pw", "dom", `,"scope":{"project":{"id":"ff"}}`),
		"wrong region":   tokenBody("alice", "pw", "dom", `,"scope":{"project":{"name":"x"}}`),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := f.send(http.MethodPost, "/v3/auth/tokens", body, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, r, http.StatusUnauthorized, "IAM.0011")
			if r.header.Get("X-Subject-Token") != "" {
				t.Fatal("a refused login returned a token")
			}
		})
	}
	r, err := f.send(http.MethodPost, "/v3/auth/tokens", `{"auth":`, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusBadRequest {
		t.Fatalf("malformed body: status %d, want 400", r.status)
	}
}

func TestIAM_projects(t *testing.T) {
	f := newFixture(t, nil)

	if r := f.do(http.MethodGet, "/v3/projects?name=eu-de", ""); r.status != 200 ||
		r.body != `{"projects":[{"id":"`+testProject+`","name":"eu-de"}]}` {
		t.Fatalf("signed project lookup: status %d body %s", r.status, r.body)
	}
	if r := f.do(http.MethodGet, "/v3/projects?name=eu-nl", ""); r.body != `{"projects":[]}` {
		t.Fatalf("unknown region: body %s, want an empty list", r.body)
	}

	unscoped, r := f.login("")
	if strings.Contains(r.body, `"project"`) {
		t.Fatalf("unscoped token body names a project: %s", r.body)
	}
	if r := f.withToken(http.MethodGet, "/v3/projects?name=eu-de", unscoped); r.status != 200 {
		t.Fatalf("project lookup with an unscoped token: status %d", r.status)
	}
	wantError(t, f.withToken(http.MethodGet, tasksPath(testCluster), unscoped),
		http.StatusUnauthorized, "APIGW.0301")

	r, err := f.send(http.MethodGet, "/v3/projects?name=eu-de", "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, r, http.StatusUnauthorized, "APIGW.0301")
}

func TestSignature(t *testing.T) {
	f := newFixture(t, nil)
	path := tasksPath(testCluster)

	if r := f.do(http.MethodGet, path+"?limit=100&offset=0", ""); r.status != 200 {
		t.Fatalf("signed GET: status %d body %s", r.status, r.body)
	}
	f.create("signed-post")

	cases := map[string]func(*fixture) (result, error){
		"unsigned": func(f *fixture) (result, error) {
			return f.send(http.MethodGet, path, "", false, nil)
		},
		"wrong secret": func(f *fixture) (result, error) {
			return f.send(http.MethodGet, path, "", false, func(req *http.Request) {
				signer.Sign(req, nil, signer.Credentials{AccessKey: testAK, SecretKey: "x"},
					time.Now())
			})
		},
		"unknown access key": func(f *fixture) (result, error) {
			return f.send(http.MethodGet, path, "", false, func(req *http.Request) {
				signer.Sign(req, nil, signer.Credentials{AccessKey: "OTHER", SecretKey: testSK},
					time.Now())
			})
		},
		"body changed after signing": func(f *fixture) (result, error) {
			return f.send(http.MethodPost, path, `{"name":"tampered"}`, false,
				func(req *http.Request) {
					signer.Sign(req, []byte(`{"name":"original"}`), f.cred, time.Now())
				})
		},
		"query changed after signing": func(f *fixture) (result, error) {
			return f.send(http.MethodGet, path+"?limit=5", "", false, func(req *http.Request) {
				signer.Sign(req, nil, f.cred, time.Now())
				req.URL.RawQuery = "limit=6"
			})
		},
		"tampered signature": func(f *fixture) (result, error) {
			return f.send(http.MethodGet, path, "", false, func(req *http.Request) {
				signer.Sign(req, nil, f.cred, time.Now())
				auth := req.Header.Get("Authorization")
				req.Header.Set("Authorization", auth[:len(auth)-1]+flip(auth[len(auth)-1]))
			})
		},
		"unknown token": func(f *fixture) (result, error) {
			return f.send(http.MethodGet, path, "", false, func(req *http.Request) {
				req.Header.Set("X-Auth-Token", "MIInot-a-token")
			})
		},
	}
	for name, send := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := send(f)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, r, http.StatusUnauthorized, "APIGW.0301")
			if !strings.Contains(r.body, "Incorrect IAM authentication information") {
				t.Fatalf("401 body %s", r.body)
			}
		})
	}
	if n := len(f.sim.Tasks(testCluster)); n != 1 {
		t.Fatalf("%d tasks after refused requests, want 1", n)
	}
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func TestSignature_securityToken(t *testing.T) {
	f := newFixture(t, nil)
	f.cred.SecurityToken = "temporary-token"
	r, err := f.send(http.MethodGet, tasksPath(testCluster), "", true, func(req *http.Request) {
		req.Header.Set("X-Project-Id", testProject)
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.status != 200 {
		t.Fatalf("signed request with X-Security-Token: status %d body %s", r.status, r.body)
	}
	logged := f.sim.Requests()[0].Header
	if !strings.Contains(logged.Get("Authorization"), "x-security-token") {
		t.Fatalf("the security token was not signed: %s", logged.Get("Authorization"))
	}
}

func TestAuthenticationOff(t *testing.T) {
	sim := simulator.New(simulator.Options{})
	sim.AddCluster(testCluster, simulator.ClusterOptions{})
	f := &fixture{t: t, sim: sim}
	f.srv = newServer(t, sim)

	r, err := f.send(http.MethodGet, tasksPath(testCluster), "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.status != 200 {
		t.Fatalf("unauthenticated list with auth off: status %d body %s", r.status, r.body)
	}
	if sim.ProjectID() != simulator.DefaultProjectID || sim.Region() != "eu-de" {
		t.Fatalf("defaults: project %q region %q", sim.ProjectID(), sim.Region())
	}
	r, err = f.send(http.MethodPost, "/v3/auth/tokens", tokenBody("any", "any", "any", scopeByID),
		false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusCreated {
		t.Fatalf("login with auth off: status %d", r.status)
	}
}
