package main

import (
	"os"
	"testing"
)

func TestQuietSDKLogs(t *testing.T) {
	names := []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}
	for _, asked := range append([]string{""}, names...) {
		t.Run("set="+asked, func(t *testing.T) {
			for _, name := range names {
				t.Setenv(name, "")
			}
			if asked != "" {
				t.Setenv(asked, "DEBUG")
			}

			quietSDKLogs()

			want := "off"
			switch asked {
			case "":
			case "TF_LOG_SDK":
				want = "DEBUG"
			default:
				want = ""
			}
			if got := os.Getenv("TF_LOG_SDK"); got != want {
				t.Errorf("TF_LOG_SDK = %q, want %q", got, want)
			}
		})
	}
}
