package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/css-tf/terraform-provider-css/internal/client"
)

// API calls of css_aiops_task:
//
//	Create: GET list (ids before), POST, GET list until the new id shows, GET list until finished
//	Read:   GET list (shared per cluster within one run)
//	Update: none (only wait_for_completion, timeouts and an imported alarm change in place)
//	Delete: DELETE (retried on 409, waiting on 412 while running), GET list until it is gone
//	Import: none; the Read that follows makes the one list call

const (
	defaultCreateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
	readTimeout          = 5 * time.Minute

	// privateImported marks a task imported into state, whose alarm is unknown to Terraform.
	privateImported = "imported"
)

var (
	_ resource.Resource                = &aiopsTaskResource{}
	_ resource.ResourceWithConfigure   = &aiopsTaskResource{}
	_ resource.ResourceWithImportState = &aiopsTaskResource{}
)

// NewAiopsTaskResource returns the css_aiops_task resource.
func NewAiopsTaskResource() resource.Resource {
	return &aiopsTaskResource{}
}

type aiopsTaskResource struct {
	data *providerData
}

func (r *aiopsTaskResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aiops_task"
}

func (r *aiopsTaskResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}

	resp.Schema = schema.Schema{
		MarkdownDescription: "An intelligent O&M (AI-ops) detection task of a CSS cluster. Creating the " +
			"resource starts a detection run of the cluster's health checks; the resource then " +
			"reports the run's status and the risks it found. There is no update API: every " +
			"argument but `wait_for_completion` and `timeouts` forces a new task. Destroying the " +
			"resource deletes the task record.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the detection task, assigned by CSS.",
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "The id of the CSS cluster to check. Changing it forces a new task.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{clusterIDValidator},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name of the task: 4 to 64 characters, letters, digits, `-` and " +
					"`_`, starting with a letter. Names need not be unique. Changing it forces a new task.",
				Required:      true,
				PlanModifiers: replace,
				Validators: []validator.String{
					stringvalidator.LengthBetween(4, 64),
					stringvalidator.RegexMatches(namePattern,
						"must start with a letter and hold only letters, digits, '-' and '_'"),
				},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "A description of the task, at most 255 characters. Changing it " +
					"forces a new task.",
				Optional:      true,
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthAtMost(255)},
			},
			"alarm": schema.SingleNestedAttribute{
				MarkdownDescription: "An SMN notification sent when the task finds risks of the given " +
					"level. The API does not return it, so Terraform keeps it from the configuration: " +
					"it cannot be imported, and drift is not detected. Setting it on an imported task " +
					"updates the state only; any other change forces a new task.",
				Optional: true,
				PlanModifiers: []planmodifier.Object{
					objectplanmodifier.RequiresReplaceIf(alarmRequiresReplace,
						"Changing the alarm forces a new task, except on a task just imported.",
						"Changing the alarm forces a new task, except on a task just imported."),
				},
				Attributes: map[string]schema.Attribute{
					"level": schema.StringAttribute{
						MarkdownDescription: "The lowest risk level that triggers a notification: " +
							quotedList(alarmLevels) + ".",
						Required:   true,
						Validators: []validator.String{stringvalidator.OneOf(alarmLevels...)},
					},
					"smn_topic": schema.StringAttribute{
						MarkdownDescription: "The name of the SMN topic that receives the notification.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
				},
			},
			"check_type": schema.StringAttribute{
				MarkdownDescription: "What the task checks: " + quotedList(checkTypes) + ". Sent only when " +
					"set (Open Telekom Cloud does not know it); read back where the API returns it. " +
					"Changing it forces a new task.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown(),
				},
				Validators: []validator.String{stringvalidator.OneOf(checkTypes...)},
			},
			"check_items": schema.SetAttribute{
				MarkdownDescription: "The ids of the check items to run, allowed only with `check_type = " +
					"\"" + partialDetection + "\"`. The API does not return them, so Terraform keeps " +
					"them from the configuration. Changing them forces a new task.",
				Optional:      true,
				ElementType:   types.StringType,
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
				Validators:    []validator.Set{checkItemsNeedPartialDetection{}},
			},
			"wait_for_completion": schema.BoolAttribute{
				MarkdownDescription: "Wait, on create, until the detection has completed or failed, so " +
					"that `status`, `summary` and `task_risks` hold its results. Defaults to `true`. With " +
					"`false`, create returns as soon as the task exists and later refreshes show its results.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"timeouts": timeoutsAttribute(ctx),
			"status": schema.StringAttribute{
				MarkdownDescription: descStatus,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"status_code": schema.Int64Attribute{
				MarkdownDescription: descStatusCode,
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: descCreatedAt,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"smn_status": schema.StringAttribute{
				MarkdownDescription: descSMNStatus,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"smn_fail_reason": schema.StringAttribute{
				MarkdownDescription: descSMNFailReason,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"trigger_type": schema.StringAttribute{
				MarkdownDescription: descTriggerType,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"summary": schema.SingleNestedAttribute{
				MarkdownDescription: descSummary,
				Computed:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes:          computedInt64s(summaryDescriptions),
			},
			"task_risks": schema.ListNestedAttribute{
				MarkdownDescription: descTaskRisks,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject:        schema.NestedAttributeObject{Attributes: computedStrings(riskDescriptions)},
			},
		},
	}
}

func (r *aiopsTaskResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data, ok := configuredService(req.ProviderData, &resp.Diagnostics); ok {
		r.data = data
	}
}

func (r *aiopsTaskResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan aiopsTaskResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	svc, ok := r.service(&resp.Diagnostics)
	if !ok {
		return
	}

	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	body, diags := plan.createRequest(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	clusterID, name := plan.ClusterID.ValueString(), plan.Name.ValueString()
	ctx = tflog.SetField(ctx, "cluster_id", clusterID)
	tflog.Debug(ctx, "creating AI-ops task", map[string]any{"name": name})

	task, err := svc.Create(ctx, clusterID, body)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating AI-ops Task %q Failed", name),
			createFailure(clusterID, name, r.data.explain(err), err))
		return
	}
	ctx = tflog.SetField(ctx, "aiops_id", task.ID)
	tflog.Info(ctx, "created AI-ops task")

	resp.Diagnostics.Append(plan.setTask(task)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !plan.WaitForCompletion.ValueBool() || task.Finished() {
		return
	}

	finished, err := svc.WaitFinished(ctx, clusterID, task.ID)
	if err != nil {
		// The state already holds the task, so Terraform marks it tainted: the next apply
		// replaces it instead of creating a second one.
		resp.Diagnostics.AddError(fmt.Sprintf("Waiting For AI-ops Task %q Failed", name), fmt.Sprintf(
			"The detection task %s (%q) on cluster %s was created, but it had not finished when "+
				"waiting stopped: %s\n\nThe task is kept in state and marked tainted; the next apply "+
				"replaces it. Raise timeouts.create (now %s) to wait longer, or set "+
				"wait_for_completion = false to read its result in later refreshes.",
			task.ID, name, clusterID, r.data.explain(err), timeout))
		return
	}
	resp.Diagnostics.Append(plan.setTask(finished)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *aiopsTaskResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state aiopsTaskResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil || r.data.service == nil {
		// NOTE: the provider configuration is not known yet (it depends on other resources).
		// Refreshing would need a request signed with a key that is not known, so the task is
		// kept as it is; the refresh happens in the next plan with a known configuration.
		resp.Diagnostics.AddWarning("AI-ops Task Not Refreshed", fmt.Sprintf(
			"The provider configuration has values that are unknown until apply, so task %s was not "+
				"read from the API in this plan and is kept in state unchanged.", state.ID.ValueString()))
		return
	}

	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	clusterID, id := state.ClusterID.ValueString(), state.ID.ValueString()
	ctx = tflog.SetField(ctx, "cluster_id", clusterID)
	ctx = tflog.SetField(ctx, "aiops_id", id)

	task, err := r.data.service.Find(ctx, clusterID, id)
	switch {
	case client.IsGone(err) && state.Name.IsNull():
		// NOTE: name is required, so only the Read right after ImportState finds it null. An
		// import of a missing task fails with the reason, not only Terraform's generic words.
		resp.Diagnostics.AddError("Cannot Import Non-existent AI-ops Task", fmt.Sprintf(
			"The detection task %s on cluster %s does not exist, so it cannot be imported: %s.",
			id, clusterID, goneReason(err)))
		return
	case client.IsGone(err):
		resp.Diagnostics.AddWarning("AI-ops Task Not Found", fmt.Sprintf(
			"The detection task %s on cluster %s no longer exists: %s. It is removed from state and "+
				"the next apply creates it again.", id, clusterID, goneReason(err)))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError(fmt.Sprintf("Reading AI-ops Task %s Failed", id), fmt.Sprintf(
			"Reading the detection task %s on cluster %s failed: %s", id, clusterID, r.data.explain(err)))
		return
	}

	resp.Diagnostics.Append(state.setTask(task)...)
	if state.WaitForCompletion.IsNull() {
		state.WaitForCompletion = types.BoolValue(true)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *aiopsTaskResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only wait_for_completion, timeouts and the alarm of an imported task change in place, and
	// none of them is sent to the API: the plan, with computed values kept from state, is stored.
	var plan aiopsTaskResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
}

func (r *aiopsTaskResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state aiopsTaskResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	svc, ok := r.service(&resp.Diagnostics)
	if !ok {
		return
	}

	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	clusterID, id := state.ClusterID.ValueString(), state.ID.ValueString()
	ctx = tflog.SetField(ctx, "cluster_id", clusterID)
	ctx = tflog.SetField(ctx, "aiops_id", id)

	if err := svc.Delete(ctx, clusterID, id); err != nil {
		detail := fmt.Sprintf("Deleting the detection task %s on cluster %s failed: %s", id, clusterID,
			r.data.explain(err))
		if errors.Is(err, context.DeadlineExceeded) {
			detail += fmt.Sprintf("\n\nThe delete timeout of %s ran out; raise timeouts.delete to wait longer.", timeout)
		}
		resp.Diagnostics.AddError(fmt.Sprintf("Deleting AI-ops Task %s Failed", id), detail)
		return
	}
	tflog.Info(ctx, "deleted AI-ops task")
}

func (r *aiopsTaskResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	clusterID, id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_id"), clusterID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("wait_for_completion"), true)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte(`true`))...)
}

// timeoutsAttribute is the timeouts attribute of the timeouts package, with a description.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true,
		Delete: true,
		CreateDescription: "How long to wait for the task to appear and, with `wait_for_completion`, " +
			"to finish. Defaults to `30m`.",
		DeleteDescription: "How long to retry a busy delete and wait for the task to leave the list. " +
			"Defaults to `10m`.",
	})
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "How long create and delete may take. Changing them needs no new task."
		return nested
	}
	return attr
}

// service returns the API service, or adds an error when the provider is not configured.
func (r *aiopsTaskResource) service(diags *diag.Diagnostics) (*client.Service, bool) {
	if r.data == nil || r.data.service == nil {
		diags.AddError("Provider Not Configured",
			"The css provider has no usable configuration, so no API request can be made. Check the "+
				"provider block: every value must be known when the plan is applied.")
		return nil, false
	}
	return r.data.service, true
}

// parseImportID splits an import id of the form <cluster_id>/<aiops_id>.
func parseImportID(id string) (clusterID, taskID string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" ||
		strings.TrimSpace(parts[0]) != parts[0] || strings.TrimSpace(parts[1]) != parts[1] {
		return "", "", fmt.Errorf("the import id %q is not of the form <cluster_id>/<aiops_id>, "+
			"for example 11111111-1111-1111-1111-111111111111/aaaaaaaa-0000-0000-0000-000000000001", id)
	}
	return parts[0], parts[1], nil
}

// computedInt64s returns computed int64 attributes with the given descriptions.
func computedInt64s(descriptions map[string]string) map[string]schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(descriptions))
	for name, d := range descriptions {
		attrs[name] = schema.Int64Attribute{Computed: true, MarkdownDescription: d}
	}
	return attrs
}

// computedStrings returns computed string attributes with the given descriptions.
func computedStrings(descriptions map[string]string) map[string]schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(descriptions))
	for name, d := range descriptions {
		attrs[name] = schema.StringAttribute{Computed: true, MarkdownDescription: d}
	}
	return attrs
}

// createFailure explains a failed create, with the import command when a task may exist.
func createFailure(clusterID, name, explained string, err error) string {
	detail := fmt.Sprintf("Creating the detection task %q on cluster %s failed: %s", name, clusterID, explained)
	var ce *client.CreateError
	if errors.As(err, &ce) {
		detail += fmt.Sprintf("\n\nA task named %q may exist on cluster %s. Find its id in the "+
			"console or the css_aiops_tasks data source and bring it under Terraform with:\n"+
			"  terraform import <address> %s/<aiops_id>", name, clusterID, clusterID)
	}
	return detail
}

// alarmRequiresReplace forces a new task for any change of alarm but one: an imported task,
// whose alarm the API cannot tell, takes the configured alarm into state in place.
func alarmRequiresReplace(ctx context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)
	resp.RequiresReplace = !(req.StateValue.IsNull() && string(imported) == "true")
}

// checkItemsNeedPartialDetection allows check_items only with check_type = "partial_detection".
type checkItemsNeedPartialDetection struct{}

func (v checkItemsNeedPartialDetection) Description(_ context.Context) string {
	return `check_items is allowed only with check_type = "` + partialDetection + `"`
}

func (v checkItemsNeedPartialDetection) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v checkItemsNeedPartialDetection) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() {
		return
	}
	var checkType types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("check_type"), &checkType)...)
	if resp.Diagnostics.HasError() || checkType.IsUnknown() {
		return
	}
	if checkType.ValueString() != partialDetection {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Combination", fmt.Sprintf(
			"check_items is allowed only with check_type = %q; check_type is %s.",
			partialDetection, checkType.String()))
	}
}

type aiopsTaskResourceModel struct {
	ID                types.String   `tfsdk:"id"`
	ClusterID         types.String   `tfsdk:"cluster_id"`
	Name              types.String   `tfsdk:"name"`
	Description       types.String   `tfsdk:"description"`
	Alarm             types.Object   `tfsdk:"alarm"`
	CheckType         types.String   `tfsdk:"check_type"`
	CheckItems        types.Set      `tfsdk:"check_items"`
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	Status            types.String   `tfsdk:"status"`
	StatusCode        types.Int64    `tfsdk:"status_code"`
	CreatedAt         types.String   `tfsdk:"created_at"`
	SMNStatus         types.String   `tfsdk:"smn_status"`
	SMNFailReason     types.String   `tfsdk:"smn_fail_reason"`
	TriggerType       types.String   `tfsdk:"trigger_type"`
	Summary           types.Object   `tfsdk:"summary"`
	TaskRisks         types.List     `tfsdk:"task_risks"`
}

type alarmModel struct {
	Level    types.String `tfsdk:"level"`
	SMNTopic types.String `tfsdk:"smn_topic"`
}

// createRequest builds the create body from the plan; unset optional fields are not sent.
func (m aiopsTaskResourceModel) createRequest(ctx context.Context) (client.CreateRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	req := client.CreateRequest{
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
	}
	if !m.CheckType.IsNull() && !m.CheckType.IsUnknown() {
		req.CheckType = m.CheckType.ValueString()
	}
	if !m.Alarm.IsNull() {
		var alarm alarmModel
		diags.Append(m.Alarm.As(ctx, &alarm, basetypes.ObjectAsOptions{})...)
		req.Alarm = &client.Alarm{Level: alarm.Level.ValueString(), SMNTopic: alarm.SMNTopic.ValueString()}
	}
	if !m.CheckItems.IsNull() {
		diags.Append(m.CheckItems.ElementsAs(ctx, &req.CheckItems, false)...)
	}
	return req, diags
}

// setTask writes what the API says of the task into the model. Configuration-only values
// (alarm, check_items, wait_for_completion, timeouts) are left as they are.
func (m *aiopsTaskResourceModel) setTask(t client.Task) diag.Diagnostics {
	results, diags := flattenResults(t)
	m.ID = types.StringValue(t.ID)
	m.Name = types.StringValue(t.Name)
	// NOTE: the list answers "" for a task without description; "" in the configuration and no
	// description at all both plan clean against it.
	switch {
	case t.Description != "":
		m.Description = types.StringValue(t.Description)
	case m.Description.IsNull() || m.Description.IsUnknown() || m.Description.ValueString() != "":
		m.Description = types.StringNull()
	}
	if t.CheckType != nil && *t.CheckType != "" {
		m.CheckType = types.StringValue(*t.CheckType)
	} else if m.CheckType.IsUnknown() {
		m.CheckType = types.StringNull()
	}
	m.Status = results.Status
	m.StatusCode = results.StatusCode
	m.CreatedAt = results.CreatedAt
	m.SMNStatus = results.SMNStatus
	m.SMNFailReason = results.SMNFailReason
	m.TriggerType = results.TriggerType
	m.Summary = results.Summary
	m.TaskRisks = results.TaskRisks
	return diags
}
