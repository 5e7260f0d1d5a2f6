package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/css-tf/terraform-provider-css/internal/client"
)

// API calls of css_aiops_tasks:
//
//	Read: GET list, every page (shared per cluster with the reads of css_aiops_task in one run)

var (
	_ datasource.DataSource              = &aiopsTasksDataSource{}
	_ datasource.DataSourceWithConfigure = &aiopsTasksDataSource{}
)

// NewAiopsTasksDataSource returns the css_aiops_tasks data source.
func NewAiopsTasksDataSource() datasource.DataSource {
	return &aiopsTasksDataSource{}
}

type aiopsTasksDataSource struct {
	data *providerData
}

func (d *aiopsTasksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aiops_tasks"
}

func (d *aiopsTasksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The intelligent O&M (AI-ops) detection tasks of a CSS cluster with their " +
			"results, newest first, as the API lists them. It lists every task of the cluster, also " +
			"those created outside Terraform, and can filter them by name and status.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "The id of the CSS cluster whose tasks are listed.",
				Required:            true,
				Validators:          []validator.String{clusterIDValidator},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "When set, only the tasks with exactly this name are returned. Names " +
					"need not be unique, so several tasks may match.",
				Optional: true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "When set, only the tasks with this status are returned: " +
					quotedList(statuses) + ".",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(statuses...)},
			},
			"tasks": schema.ListNestedAttribute{
				MarkdownDescription: "The matching tasks, newest first. Each has the attributes of the " +
					"`css_aiops_task` resource that the API returns.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          computedString("The id of the detection task."),
					"cluster_id":  computedString("The id of the CSS cluster the task belongs to."),
					"name":        computedString("The name of the task."),
					"description": computedString("The description of the task; null when it has none."),
					"check_type": computedString("What the task checks: " + quotedList(checkTypes) + ". " +
						"Null where the API does not say (Open Telekom Cloud)."),
					"status":          computedString(descStatus),
					"status_code":     schema.Int64Attribute{MarkdownDescription: descStatusCode, Computed: true},
					"created_at":      computedString(descCreatedAt),
					"smn_status":      computedString(descSMNStatus),
					"smn_fail_reason": computedString(descSMNFailReason),
					"trigger_type":    computedString(descTriggerType),
					"summary": schema.SingleNestedAttribute{
						MarkdownDescription: descSummary,
						Computed:            true,
						Attributes:          dataSourceInt64s(summaryDescriptions),
					},
					"task_risks": schema.ListNestedAttribute{
						MarkdownDescription: descTaskRisks,
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{
							Attributes: dataSourceStrings(riskDescriptions),
						},
					},
				}},
			},
		},
	}
}

func (d *aiopsTasksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data, ok := configuredService(req.ProviderData, &resp.Diagnostics); ok {
		d.data = data
	}
}

func (d *aiopsTasksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config aiopsTasksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clusterID := config.ClusterID.ValueString()
	if d.data == nil || d.data.service == nil {
		resp.Diagnostics.AddError("Provider Configuration Not Known", fmt.Sprintf(
			"The css provider configuration has values that are not known yet (they come from other "+
				"resources), so the tasks of cluster %s cannot be listed. The provider configuration must "+
				"be known when the data source is read: apply the resources it depends on first, or set "+
				"the provider arguments from values known at plan time.", clusterID))
		return
	}

	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	ctx = tflog.SetField(ctx, "cluster_id", clusterID)

	tasks, err := d.data.service.Tasks(ctx, clusterID)
	if err != nil {
		detail := fmt.Sprintf("Listing the detection tasks of cluster %s failed: %s", clusterID, d.data.explain(err))
		if client.IsGone(err) {
			detail += "\n\nThe cluster does not exist, or the credentials have no access to it."
		}
		resp.Diagnostics.AddError(fmt.Sprintf("Reading AI-ops Tasks of Cluster %s Failed", clusterID), detail)
		return
	}

	matched := make([]attr.Value, 0, len(tasks))
	for _, t := range tasks {
		if !config.matches(t) {
			continue
		}
		obj, diags := flattenTask(clusterID, t)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		matched = append(matched, obj)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: taskAttrTypes}, matched)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "read AI-ops tasks", map[string]any{"listed": len(tasks), "matched": len(matched)})

	config.Tasks = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// flattenTask turns a listed task into one object of the tasks list, with the values the
// resource shows for it.
func flattenTask(clusterID string, t client.Task) (types.Object, diag.Diagnostics) {
	results, diags := flattenResults(t)
	if diags.HasError() {
		return types.ObjectNull(taskAttrTypes), diags
	}
	obj, d := types.ObjectValue(taskAttrTypes, map[string]attr.Value{
		"id":              types.StringValue(t.ID),
		"cluster_id":      types.StringValue(clusterID),
		"name":            types.StringValue(t.Name),
		"description":     nonEmpty(&t.Description),
		"check_type":      nonEmpty(t.CheckType),
		"status":          results.Status,
		"status_code":     results.StatusCode,
		"created_at":      results.CreatedAt,
		"smn_status":      results.SMNStatus,
		"smn_fail_reason": results.SMNFailReason,
		"trigger_type":    results.TriggerType,
		"summary":         results.Summary,
		"task_risks":      results.TaskRisks,
	})
	diags.Append(d...)
	return obj, diags
}

// dataSourceInt64s returns computed int64 attributes with the given descriptions.
func dataSourceInt64s(descriptions map[string]string) map[string]schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(descriptions))
	for name, d := range descriptions {
		attrs[name] = schema.Int64Attribute{Computed: true, MarkdownDescription: d}
	}
	return attrs
}

// dataSourceStrings returns computed string attributes with the given descriptions.
func dataSourceStrings(descriptions map[string]string) map[string]schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(descriptions))
	for name, d := range descriptions {
		attrs[name] = computedString(d)
	}
	return attrs
}

// computedString returns a computed string attribute with the given description.
func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: description}
}

type aiopsTasksDataSourceModel struct {
	ClusterID types.String `tfsdk:"cluster_id"`
	Name      types.String `tfsdk:"name"`
	Status    types.String `tfsdk:"status"`
	Tasks     types.List   `tfsdk:"tasks"`
}

// matches reports whether a task passes the name and status filters that are set.
func (m aiopsTasksDataSourceModel) matches(t client.Task) bool {
	if !m.Name.IsNull() && t.Name != m.Name.ValueString() {
		return false
	}
	if !m.Status.IsNull() && t.Status() != m.Status.ValueString() {
		return false
	}
	return true
}
