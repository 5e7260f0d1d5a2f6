// Package signer implements the SDK-HMAC-SHA256 request signing of Open Telekom Cloud and
// Huawei Cloud APIs (AK/SK authentication), and its verification for the simulator.
package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Algorithm is the name of the signing algorithm, the first word of the Authorization header.
const Algorithm = "SDK-HMAC-SHA256"

// DateFormat is the layout of the X-Sdk-Date header.
const DateFormat = "20060102T150405Z"

// Header names used by the signing scheme.
const (
	HeaderDate          = "X-Sdk-Date"
	HeaderAuthorization = "Authorization"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderContentType   = "Content-Type"
)

// Credentials are the access key, secret key and, for temporary credentials, security token.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// optionalSigned lists the headers that are signed whenever the request carries them.
var optionalSigned = []string{"content-type", "x-project-id", "x-security-token"}

// Sign adds X-Sdk-Date, X-Security-Token (for temporary credentials) and Authorization to req.
// body must be the exact bytes that will be sent (nil for none). The path sent is not changed.
func Sign(req *http.Request, body []byte, cred Credentials, now time.Time) {
	if cred.SecurityToken != "" {
		req.Header.Set(HeaderSecurityToken, cred.SecurityToken)
	}
	req.Header.Set(HeaderDate, now.UTC().Format(DateFormat))

	signed := []string{"host", "x-sdk-date"}
	for _, name := range optionalSigned {
		if req.Header.Get(name) != "" {
			signed = append(signed, name)
		}
	}
	sort.Strings(signed)

	signature := Signature(req, body, signed, cred.SecretKey)
	req.Header.Set(HeaderAuthorization, fmt.Sprintf("%s Access=%s, SignedHeaders=%s, Signature=%s",
		Algorithm, cred.AccessKey, strings.Join(signed, ";"), signature))
}

// Signature returns the hex signature of req over the given lower-case, sorted header names.
func Signature(req *http.Request, body []byte, signedHeaders []string, secretKey string) string {
	canonical := CanonicalRequest(req, body, signedHeaders)
	stringToSign := Algorithm + "\n" + req.Header.Get(HeaderDate) + "\n" + hashHex([]byte(canonical))

	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// CanonicalRequest builds the canonical form of req that is hashed into the string to sign.
func CanonicalRequest(req *http.Request, body []byte, signedHeaders []string) string {
	return strings.Join([]string{
		strings.ToUpper(req.Method),
		canonicalURI(req),
		canonicalQuery(req),
		canonicalHeaders(req, signedHeaders),
		strings.Join(signedHeaders, ";"),
		hashHex(body),
	}, "\n")
}

// Verify checks the Authorization header of req against the secret key that secretFor returns
// for its access key. It is used by the simulator; it returns the access key on success.
func Verify(req *http.Request, body []byte, secretFor func(accessKey string) (string, bool)) (string, error) {
	auth := req.Header.Get(HeaderAuthorization)
	rest, ok := strings.CutPrefix(auth, Algorithm+" ")
	if !ok {
		return "", errors.New("authorization header is missing or not " + Algorithm)
	}

	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return "", fmt.Errorf("malformed authorization field %q", part)
		}
		fields[k] = v
	}
	ak, names, got := fields["Access"], fields["SignedHeaders"], fields["Signature"]
	if ak == "" || names == "" || got == "" {
		return "", errors.New("authorization header lacks Access, SignedHeaders or Signature")
	}
	secret, ok := secretFor(ak)
	if !ok {
		return "", fmt.Errorf("unknown access key %q", ak)
	}
	if req.Header.Get(HeaderDate) == "" {
		return "", errors.New("missing " + HeaderDate + " header")
	}

	signed := strings.Split(names, ";")
	want := Signature(req, body, signed, secret)
	if !hmac.Equal([]byte(want), []byte(got)) {
		return "", errors.New("signature does not match")
	}
	return ak, nil
}

func canonicalURI(req *http.Request) string {
	segments := strings.Split(req.URL.Path, "/")
	for i, s := range segments {
		segments[i] = escape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

func canonicalQuery(req *http.Request) string {
	query := req.URL.Query()
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	var pairs []string
	for _, k := range keys {
		values := append([]string(nil), query[k]...)
		sort.Strings(values)
		for _, v := range values {
			pairs = append(pairs, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(pairs, "&")
}

func canonicalHeaders(req *http.Request, signedHeaders []string) string {
	var b strings.Builder
	for _, name := range signedHeaders {
		var values []string
		if name == "host" {
			values = []string{hostOf(req)}
		} else {
			values = append(values, req.Header.Values(name)...)
			sort.Strings(values)
		}
		for _, v := range values {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	return b.String()
}

func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// escape percent-encodes s by RFC 3986: every byte but unreserved characters, upper-case hex.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
