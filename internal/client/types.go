// Package client talks to the CSS intelligent O&M ("AI-ops") API. It knows nothing of Terraform:
// the provider turns its types into state and its errors into diagnostics.
//
// API calls (all under {css}/v1.0/{project_id}/clusters/{cluster_id}/ai-ops):
//
//	POST   .../ai-ops             create a detection task (200, empty body, no id)
//	GET    .../ai-ops?limit=&offset= list tasks with their results
//	DELETE .../ai-ops/{aiops_id}  delete a task record
package client

import "time"

// Task status codes as the list reports them. Any other code is treated as still running.
const (
	StatusCodeRunning   = 150
	StatusCodeCompleted = 200
	StatusCodeFailed    = 300
)

// Task statuses as the provider shows them.
const (
	StatusRunning   = "running"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
)

// Task is one detection task as read from the list, in either response shape. A nil pointer
// means the API did not send the value (or sent null).
type Task struct {
	ID          string
	Name        string
	Description string // "desc" in the list; empty when unset

	// StatusCode is the raw status number; it is 0 when the API sent none.
	StatusCode int

	CreateTime    *time.Time // UTC
	SMNStatus     *string
	SMNFailReason *string

	Summary *Summary
	Risks   []Risk // nil when the API sent none

	CheckType   *string // new shape only
	TriggerType *string // new shape only
}

// Status maps the raw status code to running, completed or failed.
func (t Task) Status() string {
	switch t.StatusCode {
	case StatusCodeCompleted:
		return StatusCompleted
	case StatusCodeFailed:
		return StatusFailed
	default:
		return StatusRunning
	}
}

// Finished reports whether the task completed or failed.
func (t Task) Finished() bool { return t.Status() != StatusRunning }

// Summary counts the risks of a task. Normal is sent by the new response shape only.
type Summary struct {
	High       *int64
	Medium     *int64
	Suggestion *int64
	Normal     *int64
}

// Risk is one finding of a task. The old shape sends riskType, the new one id and name; the
// provider shows RiskType (old riskType, or new name) and ID (new id) where they exist.
type Risk struct {
	ID          *string
	RiskType    *string
	Level       *string
	Description *string
	Suggestion  *string
	Result      *string
}

// Alarm is the optional SMN alarm of a create request. Both fields are required when it is set.
type Alarm struct {
	Level    string `json:"level"`
	SMNTopic string `json:"smn_topic"`
}

// CreateRequest is the body of a create call. Empty optional fields are not sent.
type CreateRequest struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Alarm       *Alarm   `json:"alarm,omitempty"`
	CheckType   string   `json:"check_type,omitempty"`
	CheckItems  []string `json:"check_items,omitempty"`
}
