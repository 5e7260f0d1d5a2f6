#!/usr/bin/env bash
# make demo: build the provider and the simulator, start the simulator on loopback, then apply
# and destroy examples/demo with Terraform, and show what reached the API.
set -euo pipefail
cd "$(dirname "$0")/.."

build=$PWD/.build
work=$(mktemp -d)
trap 'kill "${sim_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$build"

echo "==> building the provider and the simulator"
go build -trimpath -ldflags "-X main.version=demo" -o "$build/terraform-provider-css" .
go build -trimpath -o "$build/css-simulator" ./cmd/css-simulator

cat >"$build/demo.tfrc" <<RC
provider_installation {
  dev_overrides {
    "css-tf/css" = "$build"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$build/demo.tfrc
export TF_IN_AUTOMATION=1

echo "==> starting the CSS API simulator on 127.0.0.1"
"$build/css-simulator" -listen 127.0.0.1:0 -url-out "$work/url" \
  -project-id 00000000000000000000000000000000 -region eu-de \
  -ak DEMOACCESSKEY00000000 -sk DemoSecretKey000000000000000000000000000 \
  -cluster 11111111-1111-1111-1111-111111111111 -high-risk 11111111-1111-1111-1111-111111111111 -risks \
  -run-for 3s 2>"$work/requests.log" >/dev/null &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")
echo "    simulator at $url"

# The provider takes its credentials and region from the environment, as in a pipeline; the
# simulator accepts this made-up key pair and checks every request's signature with it.
export OS_ACCESS_KEY=DEMOACCESSKEY00000000 OS_SECRET_KEY=DemoSecretKey000000000000000000000000000
export OS_REGION_NAME=eu-de
echo "    credentials: OS_ACCESS_KEY=$OS_ACCESS_KEY and OS_SECRET_KEY (the simulator's demo key pair)"
cp examples/demo/main.tf "$work/"
cd "$work"

# Terraform warns in a box that dev_overrides are in effect; that is how the demo runs a local
# build, so the box is left out of what is shown.
without_override_warning() { awk '/^╷/ { box = 1 } !box { print } /^╵/ { box = 0 }'; }

echo "==> terraform apply (creates a detection task and waits for its result)"
terraform apply -auto-approve -input=false -no-color -var "css_endpoint=$url" 2>&1 | without_override_warning

echo
echo "==> terraform destroy (deletes the task record and waits until it has left the list)"
terraform destroy -auto-approve -input=false -no-color -var "css_endpoint=$url" 2>&1 |
  without_override_warning | grep -E '^css_aiops_task|^Destroy complete|^Error' || true

echo
echo "==> requests the simulator served"
cat "$work/requests.log"
left=$(grep -c . "$work/requests.log" || true)
echo "    ($left requests)"
