// cert-manager's DNS01 conformance suite (github.com/cert-manager/cert-manager/test/acme) against
// the packaged dnsupdate webhook.
//
// Each of TestBasic and TestExtended gets a fresh control plane from the fixture (envtest: etcd and
// kube-apiserver). The solver handed to the fixture (viaAggregator, solver_test.go) is cert-manager's
// own webhook client, the one its controller uses, so every Present and CleanUp is a POST through
// kube-apiserver's aggregator to our Java webhook, which sends an RFC 2136 UPDATE to a real BIND.
// The fixture then checks the TXT record by asking that BIND.
//
// Run by cluster/src/test/java/io/dnsupdate/cluster/conformance/CertManagerConformanceIT.java, which
// starts BIND, builds the binaries and sets the environment. Everything listens on and talks to
// 127.0.0.0/8 only. Inputs (all required unless a default is given):
//
//	TEST_ASSET_ETCD, TEST_ASSET_KUBECTL   etcd and kubectl binaries (cert-manager's test/apiserver
//	                                      panics in init() without them)
//	TEST_ASSET_KUBE_APISERVER             any existing file: init() wants it too; TestMain replaces it
//	                                      with a wrapper of KUBE_APISERVER_BIN
//	KUBE_APISERVER_BIN                    the real kube-apiserver; the wrapper adds the front-proxy
//	                                      flags envtest does not pass, and --advertise-address=127.0.0.1
//	DNSUPDATE_WEBHOOK_JAR                 webhook/target/dnsupdate-webhook.jar (lib/ beside it)
//	DNSUPDATE_OPERATOR_JAR                operator/target/dnsupdate-operator.jar (lib/ beside it): the
//	                                      webhook answers only for a DnsUpdateIssuer the operator has
//	                                      found Ready, and reads the key the operator imported
//	DNSUPDATE_CRDS_DIR                    the repository's crds/ directory
//	DNS_SERVER                            ip:port of the nameserver (a 127.0.0.0/8 address)
//	DNS_ZONE                              the zone it serves, e.g. example.test
//	CONFORMANCE_MANIFESTS                 directory of manifests the fixture applies into each test
//	                                      namespace: the TSIG key Secret, a TsigKey importing it and
//	                                      the DnsUpdateIssuer. Written by the driver, so that the key
//	                                      never travels in an environment variable or an argument.
//	DNSUPDATE_ISSUER                      name of that DnsUpdateIssuer (default conformance)
//	JAVA                                  java executable (default: java on PATH)
//	CONFORMANCE_LOG_DIR                   where the logs of kube-apiserver, operator and webhook go
//	                                      (default: a temporary directory, printed)
//	KUBEBUILDER_CONTROLPLANE_START_TIMEOUT  default here 180s (envtest's 20 s is short on 2 cores)
//
// The challenge is written at _acme-challenge.cert-manager-dns01-tests.<DNS_ZONE>. (the nameserver
// must let the key update TXT records there), for the domain cert-manager-dns01-tests.<DNS_ZONE>.
package conformance

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	acmetest "github.com/cert-manager/cert-manager/test/acme"
)

const (
	solverGroup = "acme.dnsupdate.io"
	solverName  = "dnsupdate"
	// webhookNamespace and webhookService are what the APIService points at; the serving
	// certificate names them, as kube-apiserver checks <service>.<namespace>.svc.
	webhookNamespace = "dnsupdate-system"
	webhookService   = "dnsupdate-webhook"
)

// settings is what TestMain read from the environment and prepared.
type settings struct {
	webhookJar, operatorJar string
	crdsDir                 string
	java                    string
	dnsServer               string
	zone                    string // absolute, with the final dot
	manifests               string
	issuer                  string
	logDir                  string
	// servingCA signs the webhook's serving certificate; its PEM is the APIService's caBundle.
	servingCA *testCA
}

var env settings

func TestMain(m *testing.M) {
	if err := setUp(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	code := m.Run()
	stopAllProcesses()
	stopLeftoverChildren()
	removeTempDirs()
	os.Exit(code)
}

func setUp() error {
	var missing []string
	need := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	for _, name := range []string{"TEST_ASSET_ETCD", "TEST_ASSET_KUBECTL", "TEST_ASSET_KUBE_APISERVER"} {
		need(name)
	}
	realAPIServer := need("KUBE_APISERVER_BIN")
	env.webhookJar = need("DNSUPDATE_WEBHOOK_JAR")
	env.operatorJar = need("DNSUPDATE_OPERATOR_JAR")
	env.crdsDir = need("DNSUPDATE_CRDS_DIR")
	env.dnsServer = need("DNS_SERVER")
	zone := need("DNS_ZONE")
	env.manifests = need("CONFORMANCE_MANIFESTS")
	if len(missing) > 0 {
		return fmt.Errorf("environment variables not set: %s (see the comment at the top of conformance_test.go)",
			strings.Join(missing, ", "))
	}
	env.zone = strings.TrimSuffix(zone, ".") + "."
	env.issuer = getenv("DNSUPDATE_ISSUER", "conformance")
	env.java = getenv("JAVA", "java")

	host, _, err := net.SplitHostPort(env.dnsServer)
	if err != nil {
		return fmt.Errorf("DNS_SERVER %q: %w", env.dnsServer, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("DNS_SERVER %q: the tests talk to 127.0.0.0/8 only", env.dnsServer)
	}
	for _, f := range []string{realAPIServer, env.webhookJar, env.operatorJar, env.crdsDir, env.manifests} {
		if _, err := os.Stat(f); err != nil {
			return err
		}
	}

	env.logDir = os.Getenv("CONFORMANCE_LOG_DIR")
	if env.logDir == "" {
		if env.logDir, err = os.MkdirTemp("", "conformance-logs-"); err != nil {
			return err
		}
	}
	if env.logDir, err = filepath.Abs(env.logDir); err != nil {
		return err
	}
	if err := os.MkdirAll(env.logDir, 0o755); err != nil {
		return err
	}
	// every control plane's kube-apiserver appends to one log: start it afresh
	if err := os.Remove(filepath.Join(env.logDir, "kube-apiserver.log")); err != nil && !os.IsNotExist(err) {
		return err
	}
	fmt.Println("conformance: logs of kube-apiserver, operator and webhook in", env.logDir)

	if os.Getenv("KUBEBUILDER_CONTROLPLANE_START_TIMEOUT") == "" {
		os.Setenv("KUBEBUILDER_CONTROLPLANE_START_TIMEOUT", "180s")
	}
	if os.Getenv("KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT") == "" {
		os.Setenv("KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT", "60s")
	}

	if env.servingCA, err = newCA("dnsupdate-conformance-serving-ca"); err != nil {
		return err
	}
	wrapper, err := writeAPIServerWrapper(realAPIServer)
	if err != nil {
		return err
	}
	// envtest reads TEST_ASSET_KUBE_APISERVER when a control plane starts, after init().
	os.Setenv("TEST_ASSET_KUBE_APISERVER", wrapper)
	return nil
}

// writeAPIServerWrapper writes, into a temporary directory, a front-proxy CA, the aggregator's
// client certificate and a script that runs kube-apiserver with envtest's arguments plus the
// flags an aggregated API needs, which envtest does not pass.
func writeAPIServerWrapper(realBinary string) (string, error) {
	dir, err := tempDir("conformance-kas-")
	if err != nil {
		return "", err
	}
	ca, err := newCA("front-proxy-ca")
	if err != nil {
		return "", err
	}
	client, err := ca.issue("front-proxy-client", nil, nil)
	if err != nil {
		return "", err
	}
	caFile := filepath.Join(dir, "front-proxy-ca.crt")
	certFile := filepath.Join(dir, "front-proxy-client.crt")
	keyFile := filepath.Join(dir, "front-proxy-client.key")
	if err := os.WriteFile(caFile, ca.pem, 0o644); err != nil {
		return "", err
	}
	if err := client.write(certFile, keyFile); err != nil {
		return "", err
	}
	script := fmt.Sprintf(`#!/bin/sh
# kube-apiserver for cert-manager's envtest fixture, plus the aggregation layer's front-proxy flags
# and a loopback advertise address. envtest probes flags with --help: pass that through unchanged.
# kube-apiserver 1.34 runs with a loopback advertise address, but refuses to write it into the
# Endpoints of the "kubernetes" Service ("may not be in the loopback range") and logs that on every
# sync; nothing here uses that Service (the aggregator maps it to loopback itself), so the
# endpoint reconciler is off.
real=%[1]q
if [ "$#" -eq 1 ] && [ "$1" = "--help" ]; then exec "$real" --help; fi
exec "$real" "$@" \
  --advertise-address=127.0.0.1 \
  --endpoint-reconciler-type=none \
  --requestheader-client-ca-file=%[2]q \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file=%[3]q \
  --proxy-client-key-file=%[4]q \
  >>%[5]q 2>&1
`, realBinary, caFile, certFile, keyFile, filepath.Join(env.logDir, "kube-apiserver.log"))
	path := filepath.Join(dir, "kube-apiserver")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", err
	}
	return path, nil
}

var tempDirs []string

// tempDir makes a temporary directory that TestMain removes at the end: they hold keys.
func tempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err == nil {
		tempDirs = append(tempDirs, dir)
	}
	return dir, err
}

func removeTempDirs() {
	for _, d := range tempDirs {
		_ = os.RemoveAll(d)
	}
}

func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// challengeKey is a real-looking dns-01 value (43 base64url characters, RFC 8555 §8.4): our
// webhook refuses anything else, and the fixture's default "123d==" is not one.
func challengeKey() string {
	sum := sha256.Sum256([]byte("cert-manager conformance"))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func newFixture(t *testing.T) interface {
	RunBasic(*testing.T)
	RunExtended(*testing.T)
} {
	domain := "cert-manager-dns01-tests." + strings.TrimSuffix(env.zone, ".")
	return acmetest.NewFixture(newSolver(t),
		acmetest.SetResolvedZone(env.zone),
		acmetest.SetResolvedFQDN("_acme-challenge."+domain+"."),
		acmetest.SetDNSName(domain),
		acmetest.SetDNSChallengeKey(challengeKey()),
		acmetest.SetAllowAmbientCredentials(false),
		// what the Issuer's dns01.webhook solver says: cert-manager's client reads groupName and
		// solverName and hands only config on to the webhook
		acmetest.SetConfig(map[string]any{
			"groupName":  solverGroup,
			"solverName": solverName,
			"config":     map[string]any{"issuer": env.issuer},
		}),
		acmetest.SetManifestPath(env.manifests),
		acmetest.SetDNSServer(env.dnsServer),
		// BIND is authoritative for the zone and the only server: no NS lookups
		acmetest.SetUseAuthoritative(false),
		acmetest.SetStrict(true),
		acmetest.SetPollInterval(time.Second),
		acmetest.SetPropagationLimit(90*time.Second),
	)
}

func TestBasic(t *testing.T) {
	newFixture(t).RunBasic(t)
}

func TestExtended(t *testing.T) {
	newFixture(t).RunExtended(t)
}
