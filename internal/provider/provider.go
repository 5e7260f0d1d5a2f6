// Package provider implements the Terraform provider for the intelligent O&M ("AI-ops")
// detection tasks of Cloud Search Service (CSS).
package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/css-tf/terraform-provider-css/internal/client"
)

// Address is the provider's source address in the registry.
const Address = "registry.terraform.io/css-tf/css"

// Clouds the provider knows default endpoints for.
const (
	cloudOTC         = "otc"
	cloudHuaweiCloud = "huaweicloud"
)

// Keys of the endpoints map.
const (
	endpointCSS = "css"
	endpointIAM = "iam"
)

// otcEndpoints are the default CSS and IAM endpoints of the Open Telekom Cloud regions.
var otcEndpoints = map[string][2]string{
	"eu-de":  {"https://css.eu-de.otc.t-systems.com", "https://iam.eu-de.otc.t-systems.com/v3"},
	"eu-nl":  {"https://css.eu-nl.otc.t-systems.com", "https://iam.eu-nl.otc.t-systems.com/v3"},
	"eu-ch2": {"https://css.eu-ch2.sc.otc.t-systems.com", "https://iam-pub.eu-ch2.sc.otc.t-systems.com/v3"},
}

var _ provider.Provider = &cssProvider{}

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &cssProvider{version: version}
	}
}

type cssProvider struct {
	version string
}

func (p *cssProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "css"
	resp.Version = p.version
}

func (p *cssProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The CSS provider manages the intelligent O&M (AI-ops) detection tasks of " +
			"Cloud Search Service clusters on Open Telekom Cloud and Huawei Cloud.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				MarkdownDescription: "The region of the clusters, such as `eu-de`. It must be set here or " +
					"in `OS_REGION_NAME` or `HW_REGION_NAME`.",
				Optional: true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "The project id of the region. Taken from `OS_PROJECT_ID` or " +
					"`HW_PROJECT_ID` when not set; when neither is set, the provider asks IAM for the " +
					"project named after the region.",
				Optional: true,
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "The access key (AK) that signs every request. Taken from " +
					"`OS_ACCESS_KEY` or `HW_ACCESS_KEY` when not set.",
				Optional: true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The secret key (SK) that signs every request. Taken from " +
					"`OS_SECRET_KEY` or `HW_SECRET_KEY` when not set.",
				Optional:  true,
				Sensitive: true,
			},
			"security_token": schema.StringAttribute{
				MarkdownDescription: "The security token of temporary AK/SK credentials. Taken from " +
					"`OS_SECURITY_TOKEN` or `HW_SECURITY_TOKEN` when not set.",
				Optional:  true,
				Sensitive: true,
			},
			"user_name": schema.StringAttribute{
				MarkdownDescription: "The IAM user name, for password authentication when no access key " +
					"is given. Taken from `OS_USERNAME` or `HW_USERNAME` when not set.",
				Optional: true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "The IAM user's password. Taken from `OS_PASSWORD` or " +
					"`HW_PASSWORD` when not set.",
				Optional:  true,
				Sensitive: true,
			},
			"domain_name": schema.StringAttribute{
				MarkdownDescription: "The IAM domain (account) name of the user. Taken from " +
					"`OS_DOMAIN_NAME` or `HW_DOMAIN_NAME` when not set.",
				Optional: true,
			},
			"cloud": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The cloud whose default endpoints are used: `%s` "+
					"(Open Telekom Cloud, the default) or `%s`.", cloudOTC, cloudHuaweiCloud),
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(cloudOTC, cloudHuaweiCloud)},
			},
			"endpoints": schema.MapAttribute{
				MarkdownDescription: fmt.Sprintf("Overrides of the default endpoints by service, with "+
					"the keys `%s` and `%s`, such as `{ %s = \"https://css.example.com\" }`. The IAM "+
					"endpoint includes `/v3`.",
					endpointCSS, endpointIAM, endpointCSS),
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Map{
					mapvalidator.KeysAre(stringvalidator.OneOf(endpointCSS, endpointIAM)),
				},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How often a throttled (429) or failed (5xx, connection) "+
					"request is retried. Defaults to %d.", client.DefaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 50)},
			},
			"ca_file": schema.StringAttribute{
				MarkdownDescription: "A PEM file of CA certificates trusted besides the system's.",
				Optional:            true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip the verification of TLS certificates. Defaults to `false`; " +
					"this is the only way to turn verification off.",
				Optional: true,
			},
		},
	}
}

type cssProviderModel struct {
	Region        types.String `tfsdk:"region"`
	ProjectID     types.String `tfsdk:"project_id"`
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
	UserName      types.String `tfsdk:"user_name"`
	Password      types.String `tfsdk:"password"`
	DomainName    types.String `tfsdk:"domain_name"`
	Cloud         types.String `tfsdk:"cloud"`
	Endpoints     types.Map    `tfsdk:"endpoints"`
	MaxRetries    types.Int64  `tfsdk:"max_retries"`
	CAFile        types.String `tfsdk:"ca_file"`
	Insecure      types.Bool   `tfsdk:"insecure"`
}

// providerData is what resources and data sources receive. A nil service means that the
// provider configuration held values unknown at plan time.
type providerData struct {
	service *client.Service
	// cssEndpoint and authHint help explain errors that come from the wrong endpoint or
	// credentials.
	cssEndpoint string
	authHint    string
}

// explain renders an API error for a diagnostic, with a hint where the answer points at the
// configuration rather than at the task.
func (d *providerData) explain(err error) string {
	msg := err.Error()
	if d == nil {
		return msg
	}
	var apiErr *client.APIError
	var reqErr *client.RequestError
	switch {
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized ||
		apiErr.StatusCode == http.StatusForbidden && !client.IsGone(err)):
		msg += fmt.Sprintf("\n\nThe API refused the credentials: %s The CSS endpoint is %s.", d.authHint, d.cssEndpoint)
	case errors.As(err, &reqErr):
		msg += fmt.Sprintf("\n\nNo answer came from the CSS endpoint %s: check endpoints.css, the "+
			"region and cloud, and HTTPS_PROXY/NO_PROXY.", d.cssEndpoint)
	}
	return msg
}

// goneReason says why a task counts as gone, in words for a diagnostic.
func goneReason(err error) string {
	var nf *client.NotFoundError
	if errors.As(err, &nf) {
		return "it is not in the cluster's list of tasks"
	}
	if client.IsGone(err) {
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && apiErr.Code == "CSS.0015" {
			return "the cluster does not exist, or these credentials have no access to it (" + err.Error() + ")"
		}
	}
	return err.Error()
}

func (p *cssProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m cssProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if hasUnknown(m) {
		// NOTE: values that come from other resources are unknown during the first plan. The
		// provider then sends nothing: no default host and no environment variable stands in.
		tflog.Info(ctx, "provider configuration has unknown values; no API request is sent in this plan")
		resp.ResourceData = &providerData{}
		resp.DataSourceData = &providerData{}
		return
	}

	cfg, diags := p.clientConfig(ctx, m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Provider Configuration", err.Error())
		return
	}

	data := &providerData{service: client.NewService(c), cssEndpoint: cfg.CSSEndpoint, authHint: authHint(cfg)}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// clientConfig resolves the configuration against the environment: a configured value wins
// over OS_*, which wins over HW_*.
func (p *cssProvider) clientConfig(ctx context.Context, m cssProviderModel) (client.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := client.Config{
		Region:        value(m.Region, "OS_REGION_NAME", "HW_REGION_NAME"),
		ProjectID:     value(m.ProjectID, "OS_PROJECT_ID", "HW_PROJECT_ID"),
		AccessKey:     value(m.AccessKey, "OS_ACCESS_KEY", "HW_ACCESS_KEY"),
		SecretKey:     value(m.SecretKey, "OS_SECRET_KEY", "HW_SECRET_KEY"),
		SecurityToken: value(m.SecurityToken, "OS_SECURITY_TOKEN", "HW_SECURITY_TOKEN"),
		UserName:      value(m.UserName, "OS_USERNAME", "HW_USERNAME"),
		Password:      value(m.Password, "OS_PASSWORD", "HW_PASSWORD"),
		DomainName:    value(m.DomainName, "OS_DOMAIN_NAME", "HW_DOMAIN_NAME"),
		MaxRetries:    client.DefaultMaxRetries,
		CAFile:        m.CAFile.ValueString(),
		Insecure:      m.Insecure.ValueBool(),
		UserAgent:     "terraform-provider-css/" + p.version,
		Log:           logRequest,
	}
	if !m.MaxRetries.IsNull() {
		cfg.MaxRetries = int(m.MaxRetries.ValueInt64())
	}

	if cfg.Region == "" {
		diags.AddAttributeError(path.Root("region"), "Missing Region",
			"Set region in the provider configuration or OS_REGION_NAME (or HW_REGION_NAME).")
	}
	switch {
	case cfg.AccessKey != "" || cfg.SecretKey != "":
		if cfg.AccessKey == "" {
			diags.AddAttributeError(path.Root("access_key"), "Missing Access Key",
				"A secret key is set but no access key: set access_key or OS_ACCESS_KEY (or HW_ACCESS_KEY).")
		}
		if cfg.SecretKey == "" {
			diags.AddAttributeError(path.Root("secret_key"), "Missing Secret Key",
				"An access key is set but no secret key: set secret_key or OS_SECRET_KEY (or HW_SECRET_KEY).")
		}
	case cfg.UserName != "" || cfg.Password != "":
		if cfg.UserName == "" {
			diags.AddAttributeError(path.Root("user_name"), "Missing User Name",
				"A password is set but no user name: set user_name or OS_USERNAME (or HW_USERNAME).")
		}
		if cfg.Password == "" {
			diags.AddAttributeError(path.Root("password"), "Missing Password",
				"A user name is set but no password: set password or OS_PASSWORD (or HW_PASSWORD).")
		}
		if cfg.DomainName == "" {
			diags.AddAttributeError(path.Root("domain_name"), "Missing Domain Name",
				"Password authentication needs the domain name: set domain_name or OS_DOMAIN_NAME "+
					"(or HW_DOMAIN_NAME).")
		}
	default:
		diags.AddAttributeError(path.Root("access_key"), "Missing Credentials",
			"Set access_key and secret_key (or OS_ACCESS_KEY and OS_SECRET_KEY) for AK/SK signing, "+
				"or user_name, password and domain_name for an IAM token.")
	}
	if diags.HasError() {
		return cfg, diags
	}

	overrides := map[string]string{}
	if !m.Endpoints.IsNull() {
		for k, v := range m.Endpoints.Elements() {
			if s, ok := v.(types.String); ok && !s.IsNull() {
				overrides[k] = s.ValueString()
			}
		}
	}
	cloud := m.Cloud.ValueString()
	if cloud == "" {
		cloud = cloudOTC
	}
	css, iam := defaultEndpoints(cloud, cfg.Region)
	if v, ok := overrides[endpointCSS]; ok {
		css = v
	}
	if v, ok := overrides[endpointIAM]; ok {
		iam = v
	}
	// IAM is asked only for a password token or for a project id that is not given.
	needIAM := cfg.AccessKey == "" || cfg.ProjectID == ""
	for key, endpoint := range map[string]string{endpointCSS: css, endpointIAM: iam} {
		if endpoint == "" && key == endpointIAM && !needIAM {
			continue
		}
		if endpoint == "" {
			diags.AddAttributeError(path.Root("endpoints"), "Missing Endpoint", fmt.Sprintf(
				"Cloud %q has no default %s endpoint for region %q: set endpoints.%s.",
				cloud, key, cfg.Region, key))
			continue
		}
		if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags.AddAttributeError(path.Root("endpoints"), "Invalid Endpoint", fmt.Sprintf(
				"The %s endpoint %q is not an http or https URL.", key, endpoint))
		}
	}
	cfg.CSSEndpoint, cfg.IAMEndpoint = css, iam

	if cfg.CAFile != "" {
		if _, err := os.Stat(cfg.CAFile); err != nil {
			diags.AddAttributeError(path.Root("ca_file"), "Unreadable CA File", fmt.Sprintf(
				"The CA file %q cannot be read: %s", cfg.CAFile, err))
		}
	}

	tflog.Debug(ctx, "provider configured", map[string]any{
		"region": cfg.Region, "cloud": cloud, "css_endpoint": css, "iam_endpoint": iam,
		"auth": authMode(cfg), "project_id_set": cfg.ProjectID != "",
	})
	return cfg, diags
}

func defaultEndpoints(cloud, region string) (css, iam string) {
	switch cloud {
	case cloudHuaweiCloud:
		return "https://css." + region + ".myhuaweicloud.com", "https://iam." + region + ".myhuaweicloud.com/v3"
	default:
		e := otcEndpoints[region]
		return e[0], e[1]
	}
}

// authHint names where the credentials in use came from, for errors that refuse them.
func authHint(cfg client.Config) string {
	if cfg.AccessKey != "" {
		return "check access_key and secret_key (or OS_ACCESS_KEY and OS_SECRET_KEY), and " +
			"security_token for temporary credentials."
	}
	return "check user_name, password and domain_name (or OS_USERNAME, OS_PASSWORD and OS_DOMAIN_NAME)."
}

func authMode(cfg client.Config) string {
	if cfg.AccessKey != "" {
		return "aksk"
	}
	return "password"
}

// value returns the configured string, else the first environment variable that is set.
func value(v types.String, env ...string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	for _, name := range env {
		if s := strings.TrimSpace(os.Getenv(name)); s != "" {
			return s
		}
	}
	return ""
}

func hasUnknown(m cssProviderModel) bool {
	for _, v := range []interface{ IsUnknown() bool }{
		m.Region, m.ProjectID, m.AccessKey, m.SecretKey, m.SecurityToken, m.UserName, m.Password,
		m.DomainName, m.Cloud, m.Endpoints, m.MaxRetries, m.CAFile, m.Insecure,
	} {
		if v.IsUnknown() {
			return true
		}
	}
	if !m.Endpoints.IsNull() {
		for _, e := range m.Endpoints.Elements() {
			if e.IsUnknown() {
				return true
			}
		}
	}
	return false
}

// logRequest is the client's log hook: one debug line per API request.
func logRequest(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func (p *cssProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewAiopsTaskResource}
}

func (p *cssProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewAiopsTasksDataSource}
}

// configuredService returns the service from provider data, for Configure of resources and
// data sources. It reports an error for provider data of another type.
func configuredService(data any, diags diagAppender) (*providerData, bool) {
	if data == nil {
		return nil, false
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("expected *providerData, got %T", data))
		return nil, false
	}
	return pd, true
}

type diagAppender interface {
	AddError(summary, detail string)
}
