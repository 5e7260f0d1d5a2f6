package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// listPage is one decoded page of the task list.
type listPage struct {
	// Tasks are the items that carry an id, in the order sent.
	Tasks []Task
	// Items counts every item of the page, with or without an id.
	Items int
	// Total is total_size, or -1 when the API sent none that reads as a number.
	Total int
}

// errNotObject says that a list body is not a JSON object.
var errNotObject = errors.New("the body is not a JSON object")

// parseList decodes a list body in the old or the new shape. Only a body that is not a JSON
// object, or whose aiops_list is neither an array nor null, is an error: a malformed field
// becomes a missing value, and an item that is not an object or has no id is skipped.
func parseList(body []byte) (listPage, error) {
	page := listPage{Total: -1}

	var top map[string]json.RawMessage
	if err := decodeJSON(body, &top); err != nil {
		return page, err
	}
	if top == nil {
		return page, errNotObject
	}
	if n, ok := integer(top["total_size"]); ok && n >= 0 && n <= 1<<31 {
		page.Total = int(n)
	}

	var items []json.RawMessage
	if raw, ok := top["aiops_list"]; ok && !isNull(raw) {
		if err := decodeJSON(raw, &items); err != nil {
			return page, errors.New("aiops_list is not a list")
		}
	}
	page.Items = len(items)
	for _, raw := range items {
		if t, ok := parseTask(raw); ok {
			page.Tasks = append(page.Tasks, t)
		}
	}
	return page, nil
}

// parseTask decodes one list item; it reports false when the item is not an object or has no id.
func parseTask(raw json.RawMessage) (Task, bool) {
	var f map[string]json.RawMessage
	if json.Unmarshal(raw, &f) != nil || f == nil {
		return Task{}, false
	}
	id := text(f["id"])
	if id == nil || strings.TrimSpace(*id) == "" {
		return Task{}, false
	}

	t := Task{
		ID:            *id,
		Name:          deref(text(f["name"])),
		Description:   deref(firstNonNil(text(f["desc"]), text(f["description"]))),
		CreateTime:    timestamp(f["create_time"]),
		SMNStatus:     text(f["smn_status"]),
		SMNFailReason: text(f["smn_fail_reason"]),
		Summary:       parseSummary(f["summary"]),
		Risks:         parseRisks(f["task_risks"]),
		CheckType:     text(f["check_type"]),
		TriggerType:   text(f["trigger_type"]),
	}
	if n, ok := integer(f["status"]); ok && n >= -1<<31 && n < 1<<31 {
		t.StatusCode = int(n)
	}
	return t, true
}

// parseSummary reads the old {high, medium, suggestion} or the new {highRisk, mediumRisk,
// normal, suggestion} summary; it returns nil when there is no summary object.
func parseSummary(raw json.RawMessage) *Summary {
	var f map[string]json.RawMessage
	if json.Unmarshal(raw, &f) != nil || f == nil {
		return nil
	}
	return &Summary{
		High:       firstNonNil(integerPtr(f["high"]), integerPtr(f["highRisk"])),
		Medium:     firstNonNil(integerPtr(f["medium"]), integerPtr(f["mediumRisk"])),
		Suggestion: integerPtr(f["suggestion"]),
		Normal:     integerPtr(f["normal"]),
	}
}

// parseRisks reads task_risks in either shape: nil when absent or not a list, and an empty,
// non-nil slice for an empty list. Items that are not objects are skipped.
func parseRisks(raw json.RawMessage) []Risk {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		return nil
	}
	risks := make([]Risk, 0, len(items))
	for _, item := range items {
		var f map[string]json.RawMessage
		if json.Unmarshal(item, &f) != nil || f == nil {
			continue
		}
		risks = append(risks, Risk{
			ID:          text(f["id"]),
			RiskType:    firstNonNil(text(f["riskType"]), text(f["name"])),
			Level:       text(f["level"]),
			Description: firstNonNil(text(f["desc"]), text(f["description"])),
			Suggestion:  text(f["suggestion"]),
			Result:      text(f["result"]),
		})
	}
	return risks
}

// text returns a JSON string, or the literal of a number or boolean; nil for anything else,
// including a missing value and null.
func text(raw json.RawMessage) *string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		return &s
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f':
		if !json.Valid(raw) {
			return nil
		}
		s := string(raw)
		return &s
	}
	return nil
}

// integer reads an exact integer from a JSON number or a numeric string, in plain or exponent
// form ("1234567", "1.234567E6", "200.0"). It never goes through a float.
func integer(raw json.RawMessage) (int64, bool) {
	s := text(raw)
	if s == nil {
		return 0, false
	}
	return parseInteger(*s)
}

func integerPtr(raw json.RawMessage) *int64 {
	if n, ok := integer(raw); ok {
		return &n
	}
	return nil
}

// maxExponent bounds the exponent parseInteger accepts; larger ones cannot fit an int64 anyway.
const maxExponent = 40

// parseInteger parses a decimal integer, also written with a fraction or an exponent as long as
// its value is an integer that fits an int64.
func parseInteger(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}

	mantissa, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > maxExponent || e < -maxExponent {
			return 0, false
		}
		mantissa, exp = s[:i], e
	}
	sign := ""
	if rest, ok := strings.CutPrefix(mantissa, "-"); ok {
		sign, mantissa = "-", rest
	} else {
		mantissa = strings.TrimPrefix(mantissa, "+")
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := whole + frac
	if digits == "" || !allDigits(digits) {
		return 0, false
	}
	exp -= len(frac)

	if exp < 0 {
		cut := len(digits) + exp
		if cut < 0 {
			cut = 0
		}
		if strings.Trim(digits[cut:], "0") != "" {
			return 0, false // a fraction remains
		}
		digits = digits[:cut]
	} else {
		digits += strings.Repeat("0", exp)
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(sign+digits, 10, 64)
	return n, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// timeLayouts are the string forms of create_time that are read besides milliseconds. Layouts
// without a zone are taken as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// timestamp reads create_time: milliseconds since the epoch as a number or a numeric string, or
// an RFC 3339 (or zone-less ISO 8601) string. The result is in UTC; nil when it cannot be read.
//
// NOTE: create_time is documented as a string but sent as a JSON number of milliseconds.
func timestamp(raw json.RawMessage) *time.Time {
	s := text(raw)
	if s == nil {
		return nil
	}
	if ms, ok := parseInteger(*s); ok {
		return inRange(time.UnixMilli(ms).UTC())
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(*s)); err == nil {
			return inRange(t.UTC())
		}
	}
	return nil
}

// inRange returns t when its year has four digits, so that it formats as RFC 3339; else nil.
func inRange(t time.Time) *time.Time {
	if t.Year() < 1 || t.Year() > 9999 {
		return nil
	}
	return &t
}

func isNull(raw json.RawMessage) bool {
	return strings.TrimSpace(string(raw)) == "null"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func firstNonNil[T any](values ...*T) *T {
	for _, v := range values {
		if v != nil {
			return v
		}
	}
	return nil
}
