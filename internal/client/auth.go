package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// tokenRefreshMargin is how long before its expiry a token is replaced.
const tokenRefreshMargin = 5 * time.Minute

// tokenDefaultLifetime is assumed when IAM sends no readable expires_at.
const tokenDefaultLifetime = time.Hour

// subjectTokenHeader carries the token in the answer of POST /auth/tokens.
const subjectTokenHeader = "X-Subject-Token"

// tokenCache holds the IAM token shared by all calls of a Client.
type tokenCache struct {
	sem chan struct{} // serialises fetches; a waiting caller can give up on it

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	projectID string
}

// current returns the token when it is set and not close to its expiry.
func (tc *tokenCache) current() (string, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.token == "" || !time.Now().Before(tc.refreshAt) {
		return "", false
	}
	return tc.token, true
}

// refreshTime is when a token is replaced: tokenRefreshMargin before it expires, or half way
// through a lifetime shorter than twice that margin.
func refreshTime(fetched, expires time.Time) time.Time {
	margin := min(tokenRefreshMargin, expires.Sub(fetched)/2)
	return expires.Add(-margin)
}

// invalidate forgets the token if it is still the one that was refused, so that of many calls
// refused at once only the first makes the next caller fetch a new token.
func (tc *tokenCache) invalidate(refused string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.token == refused {
		tc.token = ""
	}
}

func (tc *tokenCache) project() string {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.projectID
}

// token returns a valid IAM token, fetching one when there is none or it is about to expire.
// Concurrent callers share one fetch.
func (c *Client) token(ctx context.Context) (string, error) {
	if tok, ok := c.tokens.current(); ok {
		return tok, nil
	}
	select {
	case c.tokens.sem <- struct{}{}:
		defer func() { <-c.tokens.sem }()
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for an IAM token: %w", ctx.Err())
	}
	if tok, ok := c.tokens.current(); ok {
		return tok, nil
	}

	fetched := time.Now()
	tok, expires, projectID, err := c.fetchToken(ctx)
	if err != nil {
		return "", fmt.Errorf("getting an IAM token: %w", err)
	}
	c.tokens.mu.Lock()
	c.tokens.token, c.tokens.projectID = tok, projectID
	c.tokens.refreshAt = refreshTime(fetched, expires)
	c.tokens.mu.Unlock()
	c.log(ctx, "IAM token fetched", map[string]any{
		"expires_at": expires.Format(time.RFC3339), "project_id": projectID,
	})
	return tok, nil
}

// tokenRequest is the body of POST /auth/tokens.
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
		Scope struct {
			Project struct {
				ID   string `json:"id,omitempty"`
				Name string `json:"name,omitempty"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// tokenResponse is the part of the answer of POST /auth/tokens that is read.
type tokenResponse struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
		Project   struct {
			ID string `json:"id"`
		} `json:"project"`
	} `json:"token"`
}

// fetchToken asks IAM for a password token scoped by the configured project id, or else by the
// project named after the region.
func (c *Client) fetchToken(ctx context.Context) (token string, expires time.Time,
	projectID string, err error) {
	var body tokenRequest
	body.Auth.Identity.Methods = []string{"password"}
	user := &body.Auth.Identity.Password.User
	user.Name, user.Password, user.Domain.Name = c.cfg.UserName, c.cfg.Password, c.cfg.DomainName
	if c.cfg.ProjectID != "" {
		body.Auth.Scope.Project.ID = c.cfg.ProjectID
	} else {
		body.Auth.Scope.Project.Name = c.cfg.Region
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("encoding the token request: %w", err)
	}

	req := &apiRequest{method: http.MethodPost, base: c.iam, path: "/auth/tokens", body: data}
	resp, err := c.send(ctx, req, "")
	if err != nil {
		if e, ok := asAPIError(err); ok && e.StatusCode == http.StatusUnauthorized {
			msg := "authentication failed: check the user name, password and domain name"
			if e.Message != "" {
				msg += " (" + e.Message + ")"
			}
			e.Message = msg
		}
		return "", time.Time{}, "", err
	}

	token = strings.TrimSpace(resp.header.Get(subjectTokenHeader))
	if token == "" {
		return "", time.Time{}, "", fmt.Errorf("%s %s: %d: the answer has no %s header",
			req.method, req.escapedPath(), resp.status, subjectTokenHeader)
	}

	// NOTE: the body is read leniently: the token is in the header, and without a readable
	// expires_at the token is simply refreshed sooner.
	var tr tokenResponse
	_ = decodeJSON(resp.body, &tr)
	expires, err = time.Parse(time.RFC3339Nano, tr.Token.ExpiresAt)
	if err != nil {
		expires = time.Now().Add(tokenDefaultLifetime)
	}
	return token, expires, tr.Token.Project.ID, nil
}

// projectList is the answer of GET /projects.
type projectList struct {
	Projects []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"projects"`
}

// discoverProject finds the project id of the region: from the scope of the password token, or
// by GET {iam}/projects?name={region}.
func (c *Client) discoverProject(ctx context.Context) (string, error) {
	if c.usesToken() {
		if _, err := c.token(ctx); err != nil {
			return "", err
		}
		if id := c.tokens.project(); id != "" {
			return id, nil
		}
	}

	req := &apiRequest{
		method: http.MethodGet, base: c.iam, path: "/projects",
		query: url.Values{"name": {c.cfg.Region}}, auth: true,
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return "", err
	}
	var list projectList
	if err := decodeJSON(resp.body, &list); err != nil {
		return "", resp.decodeError(req, err)
	}

	var found []string
	for _, p := range list.Projects {
		if p.Name == c.cfg.Region && p.ID != "" {
			found = append(found, p.ID)
		}
	}
	switch len(found) {
	case 0:
		return "", errors.New("IAM lists no project with that name")
	case 1:
		return found[0], nil
	default:
		return "", fmt.Errorf("IAM lists %d projects with that name; set the project id",
			len(found))
	}
}
