// Command terraform-provider-css serves the Terraform provider for the intelligent O&M
// ("AI-ops") detection tasks of Cloud Search Service on Open Telekom Cloud and Huawei Cloud.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/css-tf/terraform-provider-css/internal/provider"
)

// Generate the documentation in docs/ from the schema, examples/ and templates/. The examples are
// formatted first by `make generate`.
//go:generate go tool tfplugindocs generate --provider-name css

// version is set by the release build through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	if !debug {
		quietSDKLogs()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         provider.Address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietSDKLogs turns the SDK's own logs off when Terraform would discard them: with neither
// TF_LOG nor TF_LOG_PROVIDER set, Terraform drops every log line a provider writes, but the
// framework and terraform-plugin-go still format their trace lines as JSON for every request,
// and Terraform still parses them. A level set in TF_LOG_SDK, TF_LOG_SDK_PROTO or
// TF_LOG_SDK_FRAMEWORK is kept. NOTE: see terraform-plugin-framework issue 1269.
func quietSDKLogs() {
	for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO",
		"TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) != "" {
			return
		}
	}
	_ = os.Setenv("TF_LOG_SDK", "off")
}
