// Command css-simulator serves the in-memory CSS AI-ops and IAM simulator on a local port, for
// manual runs of the provider and for scripts.
//
//	go run ./cmd/css-simulator -listen 127.0.0.1:0 -project-id P -region eu-de \
//	    -ak AK -sk SK -cluster C1 -cluster C2 -run-for 5s -risks -url-out /tmp/url
//
// It prints "css-simulator listening on URL" on stdout once it accepts connections, logs each
// request (method, path, status) on stderr and stops on SIGINT or SIGTERM. With neither -ak nor
// -user, authentication is off.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/css-tf/terraform-provider-css/internal/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "css-simulator:", err)
		}
		os.Exit(2)
	}
}

// listFlag collects the values of a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}

// config holds the parsed command line.
type config struct {
	listen, urlOut, caOut, shape string
	useTLS, risks, rejectDelete  bool
	clusters, highRisk, failing  listFlag
	ak, sk                       string
	user, password, domain       string
	opts                         simulator.Options
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("css-simulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "address to listen on")
	fs.StringVar(&c.urlOut, "url-out", "", "write the base URL to this file once listening")
	fs.BoolVar(&c.useTLS, "tls", false, "serve HTTPS with a generated test CA")
	fs.StringVar(&c.caOut, "ca-out", "", "with -tls, write the test CA certificate (PEM) here")
	fs.StringVar(&c.opts.ProjectID, "project-id", simulator.DefaultProjectID, "project id")
	fs.StringVar(&c.opts.Region, "region", simulator.DefaultRegion, "project name (region)")
	fs.StringVar(&c.ak, "ak", "", "access key accepted for AK/SK signing")
	fs.StringVar(&c.sk, "sk", "", "secret key of -ak")
	fs.StringVar(&c.user, "user", "", "IAM user name accepted for password tokens")
	fs.StringVar(&c.password, "password", "", "password of -user")
	fs.StringVar(&c.domain, "domain", "", "domain name of -user (empty: any)")
	fs.Var(&c.clusters, "cluster", "cluster id to serve (repeatable)")
	fs.Var(&c.highRisk, "high-risk", "cluster id whose tasks report a high risk (repeatable)")
	fs.Var(&c.failing, "fail", "cluster id whose tasks end with status 300 (repeatable)")
	fs.BoolVar(&c.risks, "risks", false, "tasks report a medium and a suggestion risk")
	fs.StringVar(&c.shape, "shape", "old", "list item shape: old (OTC) or new (HWC 2026)")
	fs.BoolVar(&c.rejectDelete, "reject-delete-while-running", false,
		"DELETE of a running task answers 412")
	fs.DurationVar(&c.opts.RunFor, "run-for", 0, "how long a new task runs")
	fs.DurationVar(&c.opts.VisibleAfter, "visible-after", 0, "delay before a new task is listed")
	fs.DurationVar(&c.opts.MutationBusyFor, "busy-for", 0,
		"after a POST or DELETE the cluster answers 409 for this long")
	fs.DurationVar(&c.opts.TokenTTL, "token-ttl", simulator.DefaultTokenTTL, "IAM token lifetime")
	fs.IntVar(&c.opts.MaxTasks, "max-tasks", simulator.DefaultMaxTasks, "tasks per cluster")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}

	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if (c.ak == "") != (c.sk == "") {
		return nil, errors.New("-ak and -sk go together")
	}
	if (c.user == "") != (c.password == "") {
		return nil, errors.New("-user and -password go together")
	}
	if c.shape != "old" && c.shape != "new" {
		return nil, fmt.Errorf("-shape must be old or new, not %q", c.shape)
	}
	if c.caOut != "" && !c.useTLS {
		return nil, errors.New("-ca-out needs -tls")
	}
	if c.ak != "" {
		c.opts.Credentials = map[string]string{c.ak: c.sk}
	}
	if c.user != "" {
		c.opts.Users = []simulator.User{{Name: c.user, Password: c.password, Domain: c.domain}}
	}
	return c, nil
}

// newSimulator builds the server with the clusters of the command line.
func newSimulator(c *config, stderr io.Writer) *simulator.Server {
	c.opts.OnRequest = func(r simulator.Request) {
		// NOTE: never log headers: they carry the Authorization signature and tokens.
		path := r.Path
		if r.RawQuery != "" {
			path += "?" + r.RawQuery
		}
		fmt.Fprintf(stderr, "%s %s %d\n", r.Method, path, r.Status)
	}
	sim := simulator.New(c.opts)

	shape := simulator.ShapeOld
	if c.shape == "new" {
		shape = simulator.ShapeNew
	}
	ids := append(append(append([]string{}, c.clusters...), c.highRisk...), c.failing...)
	for _, id := range ids {
		o := simulator.ClusterOptions{
			Shape: shape, RejectDeleteWhileRunning: c.rejectDelete,
			Fail: contains(c.failing, id),
		}
		if contains(c.highRisk, id) {
			o.Risks = append(o.Risks, simulator.Risk{Type: "disk usage", Level: "high",
				Description: "disk usage above 85%", Suggestion: "add nodes or delete indices"})
		}
		if c.risks {
			o.Risks = append(o.Risks,
				simulator.Risk{Type: "heap memory", Level: "medium",
					Description: "JVM heap usage above 75%", Suggestion: "scale the nodes up"},
				simulator.Risk{Type: "shard count", Level: "suggestion",
					Description: "many small shards", Suggestion: "merge small indices"})
		}
		sim.AddCluster(id, o)
	}
	return sim
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	sim := newSimulator(c, stderr)

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.listen, err)
	}
	scheme := "http"
	if c.useTLS {
		caPEM, cfg, err := simulator.NewTestCA()
		if err != nil {
			ln.Close()
			return fmt.Errorf("making the test CA: %w", err)
		}
		if c.caOut != "" {
			if err := writeFileAtomic(c.caOut, caPEM); err != nil {
				ln.Close()
				return err
			}
		}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	url := scheme + "://" + reachableAddr(ln.Addr())

	// Handlers see a context that ends at shutdown, so that fault delays end too.
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		Handler:           sim,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if c.urlOut != "" {
		if err := writeFileAtomic(c.urlOut, []byte(url+"\n")); err != nil {
			srv.Close()
			return err
		}
	}
	if len(c.opts.Credentials) == 0 && len(c.opts.Users) == 0 {
		fmt.Fprintln(stderr, "css-simulator: no -ak and no -user: authentication is off")
	}
	fmt.Fprintf(stdout, "css-simulator listening on %s\n", url)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	cancelBase()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// reachableAddr turns a listener address into host:port a client can dial.
func reachableAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// writeFileAtomic writes data so that a reader never sees a partial file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".css-simulator-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, item := range list {
		if item == v {
			return true
		}
	}
	return false
}
