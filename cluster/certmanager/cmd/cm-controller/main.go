// Command cm-controller runs the real cert-manager controller outside a cluster, for tests.
//
// cert-manager's own cmd/controller is a module of its own that the module proxy cannot serve
// (REAL-CLUSTER.md §5), so this is our own small main over the public pkg/controller API: build a
// ContextFactory, construct the ACME-related controllers registered by the blank imports below,
// run them, then start the informer factories they registered informers with. No leader election
// and no metrics or health listeners: nothing here opens a port.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"

	// Each package registers its controller with controllerpkg.Register in init().
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/acme"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The issuer types the issuers controllers set up: ACME for certificates, self-signed and CA
	// for the webhook's serving certificate that our chart asks cert-manager for.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// controllers is what an ACME Issuer/ClusterIssuer with a dns01 solver needs, from Certificate to
// signed certificate, plus the self-signed and CA issuers our chart's webhook PKI uses; the names
// are the ones the packages above register under.
var controllers = []string{
	"issuers",
	"clusterissuers",
	"orders",
	"challenges",
	"certificaterequests-issuer-acme",
	"certificaterequests-approver",
	"certificaterequests-issuer-ca",
	"certificaterequests-issuer-selfsigned",
	"certificates-trigger",
	"certificates-issuing",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-readiness",
	"certificates-revision-manager",
}

type options struct {
	kubeconfig               string
	clusterResourceNamespace string
	nameservers              string
	nameserversOnly          bool
	checkRetryPeriod         time.Duration
	maxConcurrentChallenges  int
	workers                  int
}

func main() {
	klog.InitFlags(nil) // --v and the other klog flags
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file of the API server to work against (default: $KUBECONFIG or in-cluster)")
	flag.StringVar(&o.clusterResourceNamespace, "cluster-resource-namespace", "kube-system", "namespace of the Secrets ClusterIssuers refer to")
	flag.StringVar(&o.nameservers, "dns01-recursive-nameservers", "", "comma list of ip:port nameservers for the DNS01 self-check")
	flag.BoolVar(&o.nameserversOnly, "dns01-recursive-nameservers-only", false, "check only with --dns01-recursive-nameservers, never the zone's authoritative servers")
	flag.DurationVar(&o.checkRetryPeriod, "dns01-check-retry-period", 10*time.Second, "time between two DNS01 self-checks")
	flag.IntVar(&o.maxConcurrentChallenges, "max-concurrent-challenges", 60, "challenges processed at once")
	flag.IntVar(&o.workers, "workers", 5, "workers per controller")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	err := run(ctx, o)
	logf.FlushLogs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cm-controller:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	log := logf.Log.WithName("cm-controller")
	ctx = logf.NewContext(ctx, log)
	// One controller failing stops all of them: a half-running controller is worse than none.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log.Info("starting cert-manager controller", "version", util.VersionInfo().GitVersion, "controllers", controllers)

	var nameservers []string
	for _, ns := range strings.Split(o.nameservers, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			nameservers = append(nameservers, ns)
		}
	}
	factory, err := controllerpkg.NewContextFactory(ctx, controllerpkg.ContextOptions{
		Kubeconfig:         o.kubeconfig,
		KubernetesAPIQPS:   50,
		KubernetesAPIBurst: 100,
		IssuerOptions: controllerpkg.IssuerOptions{
			ClusterResourceNamespace: o.clusterResourceNamespace,
		},
		ACMEOptions: controllerpkg.ACMEOptions{
			DNS01Nameservers:        nameservers,
			DNS01CheckAuthoritative: !o.nameserversOnly,
			DNS01CheckRetryPeriod:   o.checkRetryPeriod,
		},
		SchedulerOptions: controllerpkg.SchedulerOptions{
			MaxConcurrentChallenges: o.maxConcurrentChallenges,
		},
	})
	if err != nil {
		return err
	}
	// Build gives the shared informer factories: the same ones every controller context shares.
	shared, err := factory.Build()
	if err != nil {
		return err
	}

	known := controllerpkg.Known()
	var wg sync.WaitGroup
	errs := make(chan error, len(controllers))
	for _, name := range controllers {
		construct, ok := known[name]
		if !ok {
			return fmt.Errorf("controller %q is not registered (registered: %s)", name, registered(known))
		}
		c, err := construct(factory)
		if err != nil {
			return fmt.Errorf("constructing controller %q: %w", name, err)
		}
		wg.Add(1)
		go func(name string, c controllerpkg.Interface) {
			defer wg.Done()
			if err := c.Run(o.workers, ctx); err != nil {
				errs <- fmt.Errorf("controller %q: %w", name, err)
			}
		}(name, c)
	}

	// The controllers have asked the factories for their informers; only now do starting them
	// start those informers.
	log.Info("starting informers")
	shared.SharedInformerFactory.Start(ctx.Done())
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())

	var failed error
	select {
	case <-ctx.Done():
		log.Info("stopping: signal received")
	case failed = <-errs:
		log.Error(failed, "a controller stopped")
		cancel()
	}
	// Run returns once its workers have drained after ctx is done; do not wait for ever.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		log.Info("controllers did not stop within 20s")
	}
	return failed
}

func registered(known map[string]controllerpkg.Constructor) string {
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
