package health

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kustomize "github.com/fluxcd/pkg/apis/kustomize"
	fluxcel "github.com/fluxcd/pkg/runtime/cel"
	lua "github.com/yuin/gopher-lua"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

// The shipped artefacts, read where they ship: in the chart, which the docs show verbatim.
const (
	argoFile = "../../charts/dnsupdate-operator/gitops/argocd-cm.yaml"
	fluxFile = "../../charts/dnsupdate-operator/gitops/flux-kustomization.yaml"
	docFile  = "../../docs/gitops.md"
	group    = "dnsupdate.io"
	version  = "v1alpha1"
)

var kinds = map[string]string{"TsigKey": "tsigkeys", "DnsUpdateIssuer": "dnsupdateissuers"}

// A resource in a state the Java driver (cluster/src/test/.../GitOpsIT) created, and what
// each tool must say about it. Variant "live" reads it; "dryRunCreate" creates a copy with
// dryRun=All (the object as stored before any controller saw it); "dryRunPatch" merge-patches
// the live one with dryRun=All (a spec the operator has not seen).
type healthCase struct {
	Kind      string          `json:"kind"`
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Variant   string          `json:"variant"`
	Patch     json.RawMessage `json:"patch,omitempty"`
	Kstatus   string          `json:"kstatus"`
	Argo      string          `json:"argo"`
	Flux      string          `json:"flux"`
}

// TestShippedChecksOnRealResources needs HEALTH_KUBECONFIG and HEALTH_CASES (a JSON list of
// healthCase), which GitOpsIT passes; run that test rather than this one alone.
func TestShippedChecksOnRealResources(t *testing.T) {
	kubeconfig, casesFile := os.Getenv("HEALTH_KUBECONFIG"), os.Getenv("HEALTH_CASES")
	if kubeconfig == "" || casesFile == "" {
		t.Fatal("HEALTH_KUBECONFIG and HEALTH_CASES are unset: run GitOpsIT in module cluster/")
	}
	raw, err := os.ReadFile(casesFile)
	must(t, err)
	var cases []healthCase
	must(t, json.Unmarshal(raw, &cases))
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	must(t, err)
	client, err := dynamic.NewForConfig(cfg)
	must(t, err)
	argo := argoScripts(t)
	flux := fluxEvaluators(t)

	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s/%s", c.Kind, c.Namespace, c.Name, c.Variant), func(t *testing.T) {
			obj := fetch(t, client, c)
			if obj.GetAPIVersion() != group+"/"+version || obj.GetKind() != c.Kind {
				t.Fatalf("read %s %s", obj.GetAPIVersion(), obj.GetKind())
			}
			res, err := status.Compute(obj)
			must(t, err)
			if string(res.Status) != c.Kstatus {
				t.Errorf("kstatus: %s (%s), want %s", res.Status, res.Message, c.Kstatus)
			}
			health, message := runArgo(t, argo[c.Kind], obj)
			if health != c.Argo {
				t.Errorf("Argo CD: %s (%s), want %s", health, message, c.Argo)
			}
			got := "Error"
			if r, err := flux[c.Kind].Evaluate(context.Background(), obj); err == nil {
				got = string(r.Status)
			} else {
				t.Logf("Flux evaluation error (Flux keeps waiting): %v", err)
			}
			if got != c.Flux {
				t.Errorf("Flux: %s, want %s", got, c.Flux)
			}
			t.Logf("kstatus=%s argo=%s flux=%s: %s", res.Status, health, got, message)
		})
	}
}

// The docs show the files the chart ships as they are, so what users copy from either is what
// TestShippedChecksOnRealResources runs.
func TestTheDocsShowTheShippedFiles(t *testing.T) {
	doc, err := os.ReadFile(docFile)
	must(t, err)
	for _, f := range []string{argoFile, fluxFile} {
		text, err := os.ReadFile(f)
		must(t, err)
		if !strings.Contains(string(doc), string(text)) {
			t.Errorf("%s does not show %s verbatim", docFile, filepath.Base(f))
		}
	}
}

// The shipped files load as Argo CD and Flux load them: a Lua script under each kind's argocd-cm
// key, and healthCheckExprs Flux's evaluator compiles. Needs no cluster.
func TestTheShippedFilesLoad(t *testing.T) {
	argoScripts(t)
	fluxEvaluators(t)
}

func fetch(t *testing.T, client dynamic.Interface, c healthCase) *unstructured.Unstructured {
	t.Helper()
	ctx := context.Background()
	res := client.Resource(schema.GroupVersionResource{Group: group, Version: version, Resource: kinds[c.Kind]}).
		Namespace(c.Namespace)
	live, err := res.Get(ctx, c.Name, metav1.GetOptions{})
	must(t, err)
	switch c.Variant {
	case "live":
		return live
	case "dryRunCreate":
		fresh := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": live.GetAPIVersion(), "kind": live.GetKind(),
			"metadata": map[string]any{"name": c.Name + "-fresh", "namespace": c.Namespace},
			"spec":     live.Object["spec"],
		}}
		out, err := res.Create(ctx, fresh, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		must(t, err)
		return out
	case "dryRunPatch":
		out, err := res.Patch(ctx, c.Name, types.MergePatchType, c.Patch,
			metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}})
		must(t, err)
		if out.GetGeneration() == live.GetGeneration() {
			t.Fatalf("the patch %s did not change the spec", c.Patch)
		}
		return out
	}
	t.Fatalf("variant %q", c.Variant)
	return nil
}

// argoScripts reads the Lua health scripts from the argocd-cm keys Argo CD looks them up by.
func argoScripts(t *testing.T) map[string]string {
	raw, err := os.ReadFile(argoFile)
	must(t, err)
	var cm struct {
		Data map[string]string `json:"data"`
	}
	must(t, yaml.Unmarshal(raw, &cm))
	out := map[string]string{}
	for kind := range kinds {
		script := cm.Data["resource.customizations.health."+group+"_"+kind]
		if script == "" {
			t.Fatalf("%s has no health check for %s", argoFile, kind)
		}
		out[kind] = script
	}
	return out
}

// runArgo runs a health script as Argo CD does: the object as the global obj in a state with only
// the base, table, string and math libraries, and the returned table's status and message.
func runArgo(t *testing.T, script string, obj *unstructured.Unstructured) (string, string) {
	t.Helper()
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		must(t, L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)))
	}
	L.SetGlobal("obj", toLua(L, obj.Object))
	must(t, L.DoString(script))
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("the script returned %s, not a table", L.Get(-1).Type())
	}
	health := lua.LVAsString(ret.RawGetString("status"))
	switch health {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
	default:
		t.Fatalf("not an Argo CD health status: %q", health)
	}
	return health, lua.LVAsString(ret.RawGetString("message"))
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case map[string]any:
		tbl := L.NewTable()
		for k, e := range x {
			tbl.RawSetString(k, toLua(L, e))
		}
		return tbl
	case []any:
		tbl := L.NewTable()
		for _, e := range x {
			tbl.Append(toLua(L, e))
		}
		return tbl
	}
	panic(fmt.Sprintf("no Lua value for %T", v))
}

// fluxEvaluators builds Flux's own evaluator (the one kustomize-controller runs for
// spec.healthCheckExprs) from the shipped Kustomization.
func fluxEvaluators(t *testing.T) map[string]*fluxcel.StatusEvaluator {
	raw, err := os.ReadFile(fluxFile)
	must(t, err)
	var ks struct {
		Spec struct {
			HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
		} `json:"spec"`
	}
	must(t, yaml.Unmarshal(raw, &ks))
	out := map[string]*fluxcel.StatusEvaluator{}
	for _, h := range ks.Spec.HealthCheckExprs {
		if h.APIVersion != group+"/"+version {
			t.Fatalf("healthCheckExprs for %s", h.APIVersion)
		}
		e, err := fluxcel.NewStatusEvaluator(&h.HealthCheckExpressions)
		must(t, err)
		out[h.Kind] = e
	}
	for kind := range kinds {
		if out[kind] == nil {
			t.Fatalf("%s has no healthCheckExprs for %s", fluxFile, kind)
		}
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
