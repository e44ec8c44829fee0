package conformance

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	"sigs.k8s.io/yaml"

	whapi "github.com/cert-manager/cert-manager/pkg/acme/webhook/apis/acme/v1alpha1"
	cmwebhook "github.com/cert-manager/cert-manager/pkg/issuer/acme/dns/webhook"
)

var issuerResource = schema.GroupVersionResource{Group: "dnsupdate.io", Version: "v1alpha1", Resource: "dnsupdateissuers"}

// viaAggregator is the solver the fixture tests. Present and CleanUp are cert-manager's own webhook
// client (the one its controller calls), so they travel through kube-apiserver to our webhook.
// Initialize, called once per fresh control plane, makes that path exist: CRDs, the Service and
// APIService of the webhook, and the operator and webhook jars started against that apiserver.
type viaAggregator struct {
	t       *testing.T
	inner   cmwebhook.Webhook
	dynamic dynamic.Interface
	planes  int
}

func newSolver(t *testing.T) *viaAggregator {
	return &viaAggregator{t: t}
}

func (s *viaAggregator) Name() string { return solverName }

func (s *viaAggregator) Initialize(cfg *rest.Config, stop <-chan struct{}) error {
	s.planes++
	dir, err := tempDir("conformance-plane-")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(cfg, kubeconfig); err != nil {
		return err
	}
	if err := applyCRDs(ctx, cfg); err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if s.dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	port, err := freeLoopbackPort()
	if err != nil {
		return err
	}
	if err := registerWebhook(ctx, cfg, kube, port); err != nil {
		return err
	}

	tlsDir := filepath.Join(dir, "tls")
	if err := os.Mkdir(tlsDir, 0o700); err != nil {
		return err
	}
	serving, err := env.servingCA.issue(webhookService, []string{
		webhookService + "." + webhookNamespace + ".svc",
		webhookService + "." + webhookNamespace,
		webhookService,
		"localhost",
	}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	if err := serving.write(filepath.Join(tlsDir, "tls.crt"), filepath.Join(tlsDir, "tls.key")); err != nil {
		return err
	}

	tag := s.t.Name() + "-" + strconv.Itoa(s.planes)
	operator, err := startJava("operator-"+tag, env.operatorJar, map[string]string{
		"KUBECONFIG":       kubeconfig,
		"WATCH_NAMESPACES": "",
		"LEADER_ELECTION":  "false",
		"POD_NAMESPACE":    webhookNamespace,
		"HTTP_ADDRESS":     "127.0.0.1",
		"HTTP_PORT":        "0",
		"LOG_LEVEL":        "info",
		// the fixture's namespaces live for seconds: probe and retry quickly
		"RETRY_INTERVAL": "2s",
	})
	if err != nil {
		return err
	}
	webhook, err := startJava("webhook-"+tag, env.webhookJar, map[string]string{
		"KUBECONFIG":    kubeconfig,
		"TLS_CERT_FILE": filepath.Join(tlsDir, "tls.crt"),
		"TLS_KEY_FILE":  filepath.Join(tlsDir, "tls.key"),
		"BIND_ADDRESS":  "127.0.0.1",
		"HTTPS_PORT":    strconv.Itoa(port),
		"LOG_LEVEL":     "info",
	})
	if err != nil {
		operator.stop()
		return err
	}
	stopBoth := func() {
		webhook.stop()
		operator.stop()
	}
	go func() {
		<-stop
		stopBoth()
	}()
	s.t.Cleanup(stopBoth) // also when the fixture fails before closing stop

	if err := awaitAPIServiceAvailable(ctx, cfg, webhook, operator); err != nil {
		return err
	}
	return s.inner.Initialize(cfg, stop)
}

// Present waits until the operator reports the namespace's DnsUpdateIssuer Ready, then forwards.
// The fixture applies the manifests into a brand-new namespace, sleeps one second and calls Present
// once, treating any failure as final. In a cluster the issuer is set up long before a challenge,
// and cert-manager retries a failed Present; here the operator has had one second to import the
// key and probe the nameserver, so the webhook would rightly answer "not Ready". Waiting for the
// condition the webhook checks keeps the test about the webhook, not about that race.
func (s *viaAggregator) Present(ch *whapi.ChallengeRequest) error {
	if err := s.awaitIssuerReady(ch.ResourceNamespace); err != nil {
		return err
	}
	return s.inner.Present(ch)
}

func (s *viaAggregator) CleanUp(ch *whapi.ChallengeRequest) error {
	return s.inner.CleanUp(ch)
}

func (s *viaAggregator) awaitIssuerReady(namespace string) error {
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 90*time.Second, true,
		func(ctx context.Context) (bool, error) {
			u, err := s.dynamic.Resource(issuerResource).Namespace(namespace).Get(ctx, env.issuer, metav1.GetOptions{})
			if err != nil {
				last = err.Error()
				return false, nil
			}
			ready, reason := readyCondition(u)
			last = "Ready=" + ready + " " + reason
			return ready == "True", nil
		})
	if err != nil {
		return fmt.Errorf("DnsUpdateIssuer %s/%s did not become Ready within 90s (last seen: %s): %w",
			namespace, env.issuer, last, err)
	}
	s.t.Logf("DnsUpdateIssuer %s/%s is Ready", namespace, env.issuer)
	return nil
}

func readyCondition(u *unstructured.Unstructured) (status, reason string) {
	conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conditions {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Ready" {
			status, _ = m["status"].(string)
			reason, _ = m["reason"].(string)
			return status, reason
		}
	}
	return "Unknown", "no Ready condition yet"
}

// writeKubeconfig writes the fixture's admin rest.Config as a kubeconfig for the Java processes.
func writeKubeconfig(cfg *rest.Config, path string) error {
	if len(cfg.CertData) == 0 || len(cfg.KeyData) == 0 || len(cfg.CAData) == 0 {
		return fmt.Errorf("the control plane's rest.Config has no inline client certificate and CA")
	}
	key, err := sec1Key(cfg.KeyData)
	if err != nil {
		return err
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: key}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	return clientcmd.WriteToFile(*kc, path)
}

// sec1Key rewrites envtest's client key, an ECDSA key in PKCS#8 ("BEGIN PRIVATE KEY"), as SEC 1
// ("BEGIN EC PRIVATE KEY"). fabric8 7.5.2, which the Java processes use, takes an unlabelled
// PKCS#8 key for RSA, and its RSA fallback fails with "Invalid DER: object is not integer"
// before it tries EC; from the SEC 1 label it knows the key is EC. kubectl reads either.
func sec1Key(keyPEM []byte) ([]byte, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, fmt.Errorf("the control plane's client key is not PEM")
	}
	if block.Type != "PRIVATE KEY" {
		return keyPEM, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	ec, ok := parsed.(*ecdsa.PrivateKey)
	if !ok {
		return keyPEM, nil
	}
	der, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// applyCRDs creates the repository's CRDs and waits until they are served.
func applyCRDs(ctx context.Context, cfg *rest.Config) error {
	client, err := apiextensionsclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(env.crdsDir, "*.yml"))
	if err != nil {
		return err
	}
	more, _ := filepath.Glob(filepath.Join(env.crdsDir, "*.yaml"))
	files = append(files, more...)
	if len(files) == 0 {
		return fmt.Errorf("no CRD files in %s", env.crdsDir)
	}
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &crd); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if _, err := client.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating CRD %s: %w", crd.Name, err)
		}
		names = append(names, crd.Name)
	}
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, c := range crd.Status.Conditions {
				if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not Established: %w", name, err)
		}
	}
	return nil
}

// registerWebhook creates the webhook's namespace, a Service of type ExternalName pointing at
// localhost (no kube-proxy and no Pods here: the aggregator resolves ExternalName by DNS) and the
// APIService, trusting the serving CA.
func registerWebhook(ctx context.Context, cfg *rest.Config, kube kubernetes.Interface, port int) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: webhookNamespace}}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: webhookService, Namespace: webhookNamespace},
		Spec: corev1.ServiceSpec{
			Type:         corev1.ServiceTypeExternalName,
			ExternalName: "localhost",
			Ports:        []corev1.ServicePort{{Name: "https", Port: int32(port)}},
		},
	}
	if _, err := kube.CoreV1().Services(webhookNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating Service: %w", err)
	}
	agg, err := aggregator.NewForConfig(cfg)
	if err != nil {
		return err
	}
	port32 := int32(port)
	apiService := &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1alpha1." + solverGroup},
		Spec: apiregistrationv1.APIServiceSpec{
			Service:              &apiregistrationv1.ServiceReference{Namespace: webhookNamespace, Name: webhookService, Port: &port32},
			Group:                solverGroup,
			Version:              "v1alpha1",
			CABundle:             env.servingCA.pem,
			GroupPriorityMinimum: 1000,
			VersionPriority:      15,
		},
	}
	if _, err := agg.ApiregistrationV1().APIServices().Create(ctx, apiService, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating APIService: %w", err)
	}
	return nil
}

// awaitAPIServiceAvailable waits until kube-apiserver reports the APIService Available, which it
// does only after reaching our webhook's discovery document over TLS; a process that exits on the
// way ends the wait with its log.
func awaitAPIServiceAvailable(ctx context.Context, cfg *rest.Config, procs ...*javaProcess) error {
	agg, err := aggregator.NewForConfig(cfg)
	if err != nil {
		return err
	}
	var last string
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, p := range procs {
			if p.exited() {
				return false, fmt.Errorf("%s exited: %s", p.name, p.tail(30))
			}
		}
		a, err := agg.ApiregistrationV1().APIServices().Get(ctx, "v1alpha1."+solverGroup, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range a.Status.Conditions {
			if c.Type == apiregistrationv1.Available {
				last = fmt.Sprintf("%s %s: %s", c.Status, c.Reason, c.Message)
				return c.Status == apiregistrationv1.ConditionTrue, nil
			}
		}
		last = "no Available condition"
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("APIService v1alpha1.%s not Available (last: %s): %w", solverGroup, last, err)
	}
	return nil
}

func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
