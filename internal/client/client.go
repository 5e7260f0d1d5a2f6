package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/css-tf/terraform-provider-css/internal/signer"
)

// Defaults of the retry layer.
const (
	DefaultMaxRetries   = 5
	DefaultRetryWaitMin = time.Second
	DefaultRetryWaitMax = 30 * time.Second
)

// defaultUserAgent is sent when Config.UserAgent is empty.
const defaultUserAgent = "terraform-provider-css"

// responseHeaderTimeout bounds the wait for an answer once a request is written, so that a
// server that never answers cannot hold a call without a deadline forever.
const responseHeaderTimeout = 2 * time.Minute

// Config configures a Client.
type Config struct {
	// CSSEndpoint is the base URL of the CSS API, such as https://css.eu-de.otc.t-systems.com.
	// A trailing slash makes no difference.
	CSSEndpoint string
	// IAMEndpoint is the base URL of IAM including /v3. It is needed for password
	// authentication and to find the project id when ProjectID is empty.
	IAMEndpoint string
	// Region names the project when ProjectID is empty.
	Region string
	// ProjectID is the project of the CSS calls. When empty it is asked of IAM: the project of a
	// password token scoped by project name Region, or GET {iam}/projects?name={Region}.
	ProjectID string

	// AccessKey and SecretKey sign every request (AK/SK); SecurityToken is added for temporary
	// credentials.
	AccessKey, SecretKey, SecurityToken string
	// UserName, Password and DomainName fetch an IAM token when AccessKey is empty.
	UserName, Password, DomainName string

	// MaxRetries bounds the retries of one call; 0 means none, a negative value means
	// DefaultMaxRetries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between retries; zero means the default.
	RetryWaitMin, RetryWaitMax time.Duration

	// CAFile names a PEM file of CA certificates trusted besides the system roots.
	CAFile string
	// Insecure skips TLS certificate verification. Nothing else turns it off.
	Insecure bool
	// UserAgent is sent with every request.
	UserAgent string

	// Log, when set, is called at debug level once per HTTP attempt and at a few other steps.
	// Its fields never hold credentials, tokens, header values or bodies.
	Log func(ctx context.Context, msg string, fields map[string]any)

	// HTTPClient is the base HTTP client, for tests. When nil, one is built from CAFile,
	// Insecure and the proxy environment; when set, those three are not applied to it.
	HTTPClient *http.Client
}

// Client calls the CSS AI-ops API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	css  *url.URL
	iam  *url.URL
	http *http.Client

	maxRetries       int
	waitMin, waitMax time.Duration

	// now is the clock of the signature dates; tests replace it.
	now func() time.Time

	tokens  tokenCache
	project projectCache
}

// New checks cfg and returns a Client. It sends no request.
func New(cfg Config) (*Client, error) {
	css, err := parseEndpoint("CSS", cfg.CSSEndpoint)
	if err != nil {
		return nil, err
	}

	aksk := cfg.AccessKey != "" || cfg.SecretKey != ""
	switch {
	case aksk && (cfg.AccessKey == "" || cfg.SecretKey == ""):
		return nil, errors.New("AK/SK authentication needs both an access key and a secret key")
	case !aksk && (cfg.UserName == "" || cfg.Password == "" || cfg.DomainName == ""):
		return nil, errors.New("credentials missing: set an access key and a secret key, " +
			"or a user name, a password and a domain name")
	}
	if cfg.ProjectID == "" && cfg.Region == "" {
		return nil, errors.New("a region or a project id is required")
	}

	var iam *url.URL
	if cfg.IAMEndpoint != "" {
		if iam, err = parseEndpoint("IAM", cfg.IAMEndpoint); err != nil {
			return nil, err
		}
	} else if !aksk || cfg.ProjectID == "" {
		return nil, errors.New("an IAM endpoint is required for password authentication " +
			"and to find the project id")
	}

	c := &Client{
		cfg:        cfg,
		css:        css,
		iam:        iam,
		maxRetries: cfg.MaxRetries,
		waitMin:    cfg.RetryWaitMin,
		waitMax:    cfg.RetryWaitMax,
		now:        time.Now,
		tokens:     tokenCache{sem: make(chan struct{}, 1)},
		project:    projectCache{sem: make(chan struct{}, 1), id: cfg.ProjectID},
	}
	if c.maxRetries < 0 {
		c.maxRetries = DefaultMaxRetries
	}
	if c.waitMin <= 0 {
		c.waitMin = DefaultRetryWaitMin
	}
	if c.waitMax <= 0 {
		c.waitMax = DefaultRetryWaitMax
	}
	c.waitMax = max(c.waitMax, c.waitMin)
	if c.cfg.UserAgent == "" {
		c.cfg.UserAgent = defaultUserAgent
	}

	if c.http, err = newHTTPClient(cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// parseEndpoint checks a base URL: http or https, a host, no user info, query or fragment.
func parseEndpoint(name, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%s endpoint %q is not a URL: %w", name, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s endpoint %q is not an http or https URL with a host", name, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		// Redacted: user info in an endpoint could hold a password.
		return nil, fmt.Errorf("%s endpoint %s://%s must not carry user info, query or fragment",
			name, u.Scheme, u.Host)
	}
	return u, nil
}

// newHTTPClient builds the HTTP client: a clone of the default transport with the proxy
// environment read now and TLS from the system roots plus CAFile. Redirects are not followed:
// a signed request or a token must not go to another host.
func newHTTPClient(cfg Config) (*http.Client, error) {
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		hc.CheckRedirect = noRedirect
		return &hc, nil
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()

	// NOTE: the environment is read here, once per client, not by http.ProxyFromEnvironment,
	// which reads it once per process. Like every Go proxy function, this one never proxies
	// requests to localhost or a loopback address, whatever HTTPS_PROXY and NO_PROXY say.
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }

	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA file %s holds no PEM certificate", cfg.CAFile)
		}
		tlsConfig.RootCAs = pool
	}
	tr.TLSClientConfig = tlsConfig
	tr.ResponseHeaderTimeout = responseHeaderTimeout

	return &http.Client{Transport: tr, CheckRedirect: noRedirect}, nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// endpointURL joins a base URL and an already escaped path, never with "//" between them.
func endpointURL(base *url.URL, escapedPath string, query url.Values) string {
	u := base.Scheme + "://" + base.Host + strings.TrimRight(base.EscapedPath(), "/") + escapedPath
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// pathSegment checks one id that goes into a path and escapes it.
func pathSegment(what, id string) (string, error) {
	switch strings.TrimSpace(id) {
	case "":
		return "", fmt.Errorf("the %s is empty", what)
	case ".", "..":
		return "", fmt.Errorf("the %s %q is not a valid id", what, id)
	}
	return url.PathEscape(id), nil
}

// credentials returns the AK/SK credentials for the signer.
func (c *Client) credentials() signer.Credentials {
	return signer.Credentials{
		AccessKey:     c.cfg.AccessKey,
		SecretKey:     c.cfg.SecretKey,
		SecurityToken: c.cfg.SecurityToken,
	}
}

func (c *Client) usesToken() bool { return c.cfg.AccessKey == "" }

// log calls the Log hook, if any.
func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.cfg.Log != nil {
		c.cfg.Log(ctx, msg, fields)
	}
}

// projectCache holds the project id once configured or found.
type projectCache struct {
	sem chan struct{} // a lock that a waiting caller can give up on
	mu  sync.Mutex
	id  string
}

// ProjectID returns the configured project id, or the one found through IAM on the first call.
// Concurrent first calls share one lookup; a failed lookup is tried again on the next call.
func (c *Client) ProjectID(ctx context.Context) (string, error) {
	if id := c.project.get(); id != "" {
		return id, nil
	}
	select {
	case c.project.sem <- struct{}{}:
		defer func() { <-c.project.sem }()
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the project id: %w", ctx.Err())
	}
	if id := c.project.get(); id != "" {
		return id, nil
	}

	id, err := c.discoverProject(ctx)
	if err != nil {
		return "", fmt.Errorf("finding the project id of region %q: %w", c.cfg.Region, err)
	}
	c.project.mu.Lock()
	c.project.id = id
	c.project.mu.Unlock()
	c.log(ctx, "project id found", map[string]any{"region": c.cfg.Region, "project_id": id})
	return id, nil
}

func (p *projectCache) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.id
}
