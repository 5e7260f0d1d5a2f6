// Command terraform-provider-css serves the Terraform provider for the intelligent O&M
// ("AI-ops") detection tasks of Cloud Search Service on Open Telekom Cloud and Huawei Cloud.
package main

import (
	"context"
	"flag"
	"log"

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

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         provider.Address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
