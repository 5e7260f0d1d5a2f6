package provider

import (
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/css-tf/terraform-provider-css/internal/client"
)

// Allowed values, shared by validators and descriptions.
var (
	alarmLevels = []string{"high", "medium", "suggestion", "norisk"}
	checkTypes  = []string{"full_detection", "unavailability_detection", "partial_detection"}
	statuses    = []string{client.StatusRunning, client.StatusCompleted, client.StatusFailed}
)

const partialDetection = "partial_detection"

// createdAtLayout renders created_at: RFC 3339 in UTC, with milliseconds when there are any.
const createdAtLayout = time.RFC3339Nano

var summaryAttrTypes = map[string]attr.Type{
	"high":       types.Int64Type,
	"medium":     types.Int64Type,
	"suggestion": types.Int64Type,
	"normal":     types.Int64Type,
}

var riskAttrTypes = map[string]attr.Type{
	"id":          types.StringType,
	"risk_type":   types.StringType,
	"level":       types.StringType,
	"description": types.StringType,
	"suggestion":  types.StringType,
	"result":      types.StringType,
}

// taskAttrTypes are the attributes of one task in the tasks list of the data source: those of
// the resource that the API returns.
var taskAttrTypes = map[string]attr.Type{
	"id":              types.StringType,
	"cluster_id":      types.StringType,
	"name":            types.StringType,
	"description":     types.StringType,
	"check_type":      types.StringType,
	"status":          types.StringType,
	"status_code":     types.Int64Type,
	"created_at":      types.StringType,
	"smn_status":      types.StringType,
	"smn_fail_reason": types.StringType,
	"trigger_type":    types.StringType,
	"summary":         types.ObjectType{AttrTypes: summaryAttrTypes},
	"task_risks":      types.ListType{ElemType: types.ObjectType{AttrTypes: riskAttrTypes}},
}

// Descriptions of the attributes read from the API, shared by the resource and the data source.
var (
	descStatus = "The status of the detection: " + quotedList(statuses) + ". A status code other " +
		"than 200 (completed) and 300 (failed) counts as running."
	descStatusCode = "The raw status code of the API: 150 running, 200 completed, 300 failed."
	descCreatedAt  = "When the task was created, in RFC 3339 form in UTC."
	descSMNStatus  = "Whether the SMN alarm was sent: `not_open`, `not_trigger`, `sent` or `send_fail`. " +
		"Null where the API does not say."
	descSMNFailReason = "Why the SMN alarm could not be sent, if it could not."
	descTriggerType   = "How the task was started, `manual` or `auto`, where the API says."
	descSummary       = "How many risks of each level the detection found. Null until the API reports a summary."
	descTaskRisks     = "The risks the detection found."

	// summaryDescriptions and riskDescriptions describe the attributes of summary and of one
	// item of task_risks.
	summaryDescriptions = map[string]string{
		"high":       "The number of high risks.",
		"medium":     "The number of medium risks.",
		"suggestion": "The number of suggestions.",
		"normal": "The number of checks without findings, where the API reports it (Huawei Cloud's " +
			"newer answers).",
	}
	riskDescriptions = map[string]string{
		"id":          "The id of the check item, where the API gives it.",
		"risk_type":   "The kind of risk (the check item's name).",
		"level":       "The risk level: `high`, `medium` or `suggestion`.",
		"description": "What was found.",
		"suggestion":  "What to do about it.",
		"result":      "The check's result, where the API gives it.",
	}
)

// taskResults are the attributes read from the API that every task carries, in the resource
// and in the data source.
type taskResults struct {
	Status        types.String
	StatusCode    types.Int64
	CreatedAt     types.String
	SMNStatus     types.String
	SMNFailReason types.String
	TriggerType   types.String
	Summary       types.Object
	TaskRisks     types.List
}

// flattenResults turns what the API said of a task into attribute values. Values the API did
// not send are null; empty strings of optional fields are null too, so that "" and null mean
// the same on every read.
func flattenResults(t client.Task) (taskResults, diag.Diagnostics) {
	var diags diag.Diagnostics
	r := taskResults{
		Status:        types.StringValue(t.Status()),
		StatusCode:    types.Int64Null(),
		CreatedAt:     types.StringNull(),
		SMNStatus:     nonEmpty(t.SMNStatus),
		SMNFailReason: nonEmpty(t.SMNFailReason),
		TriggerType:   nonEmpty(t.TriggerType),
		Summary:       types.ObjectNull(summaryAttrTypes),
	}
	// NOTE: the client reads a missing status as 0, which no task reports; it is shown as null,
	// not as a zero the API did not send.
	if t.StatusCode != 0 {
		r.StatusCode = types.Int64Value(int64(t.StatusCode))
	}
	if t.CreateTime != nil {
		r.CreatedAt = types.StringValue(t.CreateTime.UTC().Format(createdAtLayout))
	}

	if s := t.Summary; s != nil {
		obj, d := types.ObjectValue(summaryAttrTypes, map[string]attr.Value{
			"high":       types.Int64PointerValue(s.High),
			"medium":     types.Int64PointerValue(s.Medium),
			"suggestion": types.Int64PointerValue(s.Suggestion),
			"normal":     types.Int64PointerValue(s.Normal),
		})
		diags.Append(d...)
		r.Summary = obj
	}

	risks := make([]attr.Value, 0, len(t.Risks))
	for _, risk := range t.Risks {
		obj, d := types.ObjectValue(riskAttrTypes, map[string]attr.Value{
			"id":          nonEmpty(risk.ID),
			"risk_type":   nonEmpty(risk.RiskType),
			"level":       nonEmpty(risk.Level),
			"description": nonEmpty(risk.Description),
			"suggestion":  nonEmpty(risk.Suggestion),
			"result":      nonEmpty(risk.Result),
		})
		diags.Append(d...)
		risks = append(risks, obj)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: riskAttrTypes}, risks)
	diags.Append(d...)
	r.TaskRisks = list
	return r, diags
}

// nonEmpty is null for a missing or empty string.
func nonEmpty(s *string) types.String {
	if s == nil || *s == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

var (
	// namePattern is the HWC rule for task names; the length is checked on its own.
	namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	// clusterIDValidator keeps ids that would break the request path out of every request.
	clusterIDValidator = stringvalidator.RegexMatches(regexp.MustCompile(`^[^/\s]+$`),
		"must be a cluster id: not empty, and without '/' or white space")
)

// quotedList renders values as `a`, `b` or `c` for descriptions.
func quotedList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
