package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/css-tf/terraform-provider-css/internal/client"
)

func TestValue_configWinsOverOSWinsOverHW(t *testing.T) {
	t.Setenv("OS_REGION_NAME", "eu-nl")
	t.Setenv("HW_REGION_NAME", "ap-southeast-1")

	if got := value(types.StringValue("eu-de"), "OS_REGION_NAME", "HW_REGION_NAME"); got != "eu-de" {
		t.Errorf("configured value lost to the environment: %q", got)
	}
	if got := value(types.StringNull(), "OS_REGION_NAME", "HW_REGION_NAME"); got != "eu-nl" {
		t.Errorf("OS_ did not win over HW_: %q", got)
	}
	t.Setenv("OS_REGION_NAME", "")
	if got := value(types.StringNull(), "OS_REGION_NAME", "HW_REGION_NAME"); got != "ap-southeast-1" {
		t.Errorf("HW_ not used when OS_ is empty: %q", got)
	}
}

func TestDefaultEndpoints(t *testing.T) {
	cases := []struct{ cloud, region, css, iam string }{
		{cloudOTC, "eu-de", "https://css.eu-de.otc.t-systems.com", "https://iam.eu-de.otc.t-systems.com/v3"},
		{cloudOTC, "eu-nl", "https://css.eu-nl.otc.t-systems.com", "https://iam.eu-nl.otc.t-systems.com/v3"},
		{cloudOTC, "eu-ch2", "https://css.eu-ch2.sc.otc.t-systems.com", "https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3"},
		{cloudOTC, "eu-xx", "", ""},
		{cloudHuaweiCloud, "ap-southeast-1", "https://css.ap-southeast-1.myhuaweicloud.com",
			"https://iam.ap-southeast-1.myhuaweicloud.com/v3"},
	}
	for _, c := range cases {
		css, iam := defaultEndpoints(c.cloud, c.region)
		if css != c.css || iam != c.iam {
			t.Errorf("%s %s: %q %q, want %q %q", c.cloud, c.region, css, iam, c.css, c.iam)
		}
	}
}

func TestParseImportID(t *testing.T) {
	good := "11111111-1111-1111-1111-111111111111/aaaaaaaa-0000-0000-0000-000000000004"
	cluster, id, err := parseImportID(good)
	if err != nil || cluster != "11111111-1111-1111-1111-111111111111" || id != "aaaaaaaa-0000-0000-0000-000000000004" {
		t.Errorf("parseImportID(%q) = %q, %q, %v", good, cluster, id, err)
	}
	for _, bad := range []string{
		"", "aaaaaaaa-0000-0000-0000-000000000004", good + "/x", "/aaaaaaaa-0000-0000-0000-000000000004",
		"11111111-1111-1111-1111-111111111111/", "/", " c/t", "c/t ",
	} {
		_, _, err := parseImportID(bad)
		if err == nil {
			t.Errorf("parseImportID(%q) accepted it", bad)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "<cluster_id>/<aiops_id>") || !strings.Contains(msg, `"`+bad+`"`) {
			t.Errorf("parseImportID(%q) error %q does not quote the value and the form", bad, msg)
		}
	}
}

func TestFlattenResults_sameInEveryTimeZone(t *testing.T) {
	created := time.UnixMilli(1735689600123)
	high := int64(1234567)
	task := client.Task{ID: "t", StatusCode: 200, CreateTime: &created, Summary: &client.Summary{High: &high}}

	defer func(loc *time.Location) { time.Local = loc }(time.Local)
	for _, zone := range []string{"UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		time.Local = loc
		got, diags := flattenResults(task)
		if diags.HasError() {
			t.Fatal(diags)
		}
		if got.CreatedAt.ValueString() != "2025-01-01T00:00:00.123Z" {
			t.Errorf("TZ %s: created_at %s", zone, got.CreatedAt)
		}
		if h := got.Summary.Attributes()["high"]; !h.Equal(types.Int64Value(1234567)) {
			t.Errorf("TZ %s: summary.high %s", zone, h)
		}
	}
}

func TestFlattenResults_missingValuesAreNull(t *testing.T) {
	empty := ""
	got, diags := flattenResults(client.Task{ID: "t", SMNFailReason: &empty, Risks: []client.Risk{{}}})
	if diags.HasError() {
		t.Fatal(diags)
	}
	for name, v := range map[string]attr.Value{
		"created_at": got.CreatedAt, "smn_status": got.SMNStatus, "smn_fail_reason": got.SMNFailReason,
		"summary": got.Summary, "trigger_type": got.TriggerType,
	} {
		if !v.IsNull() {
			t.Errorf("%s = %s, want null", name, v)
		}
	}
	if got.Status.ValueString() != "running" || got.StatusCode.ValueInt64() != 0 {
		t.Errorf("status %s (%s), want running (0)", got.Status, got.StatusCode)
	}
}

func TestClientConfig_iamEndpointOnlyWhenNeeded(t *testing.T) {
	p := &cssProvider{version: "test"}
	model := func(projectID string) cssProviderModel {
		endpoints, _ := types.MapValue(types.StringType, map[string]attr.Value{
			endpointCSS: types.StringValue("https://css.private.example"),
		})
		return cssProviderModel{
			Region: types.StringValue("private-1"), ProjectID: types.StringValue(projectID),
			AccessKey: types.StringValue("AK"), SecretKey: types.StringValue("SK"),
			Endpoints: endpoints,
		}
	}
	for _, name := range []string{"OS_PROJECT_ID", "HW_PROJECT_ID", "OS_USERNAME", "HW_USERNAME"} {
		t.Setenv(name, "")
	}

	if _, diags := p.clientConfig(t.Context(), model("0123")); diags.HasError() {
		t.Errorf("AK/SK with a project id needs no IAM endpoint: %v", diags)
	}
	_, diags := p.clientConfig(t.Context(), model(""))
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "endpoints.iam") {
		t.Errorf("without a project id the IAM endpoint is needed: %v", diags)
	}
}
