package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Paging of the list.
const (
	// listLimit is the page size asked for; a cluster holds at most 30 tasks.
	listLimit = 100
	// maxListPages bounds the pages read by one ListTasks call.
	maxListPages = 20
)

// ListTasks returns every task of a cluster, reading page after page while fewer tasks than
// total_size have been seen, the last page was not empty and it brought a new id. Tasks are
// unique by id, in the order listed.
//
// NOTE: the offset parameter was once called start, and sources disagree whether it counts from
// 0 or 1. The first page is asked for without it; later pages ask for offset = items received,
// which with either base skips nothing, and duplicates are dropped.
func (c *Client) ListTasks(ctx context.Context, clusterID string) ([]Task, error) {
	path, projectID, err := c.tasksPath(ctx, clusterID)
	if err != nil {
		return nil, err
	}

	var tasks []Task
	seen := map[string]bool{}
	received := 0
	for page := 0; ; page++ {
		if page == maxListPages {
			return nil, fmt.Errorf("listing the tasks of cluster %s: stopped after %d pages "+
				"with %d tasks seen", clusterID, maxListPages, len(tasks))
		}
		query := url.Values{"limit": {strconv.Itoa(listLimit)}}
		if page > 0 {
			query.Set("offset", strconv.Itoa(received))
		}
		req := &apiRequest{
			method: http.MethodGet, base: c.css, path: path, query: query,
			auth: true, projectID: projectID,
		}
		resp, err := c.do(ctx, req)
		if err != nil {
			return nil, err
		}
		p, err := parseList(resp.body)
		if err != nil {
			return nil, resp.decodeError(req, err)
		}
		if skipped := p.Items - len(p.Tasks); skipped > 0 {
			c.log(ctx, "list items without an id skipped", map[string]any{
				"cluster_id": clusterID, "skipped": skipped,
			})
		}

		received += p.Items
		added := 0
		for _, t := range p.Tasks {
			if !seen[t.ID] {
				seen[t.ID] = true
				tasks = append(tasks, t)
				added++
			}
		}
		if p.Items == 0 || added == 0 || p.Total < 0 || len(tasks) >= p.Total {
			return tasks, nil
		}
	}
}

// CreateTask creates a detection task. The API answers with no id: the caller finds the new
// task in the list.
func (c *Client) CreateTask(ctx context.Context, clusterID string, req CreateRequest) error {
	path, projectID, err := c.tasksPath(ctx, clusterID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encoding the create request: %w", err)
	}
	_, err = c.do(ctx, &apiRequest{
		method: http.MethodPost, base: c.css, path: path, body: body,
		auth: true, projectID: projectID,
	})
	return err
}

// DeleteTask deletes a task record. Whatever 2xx body comes with success is ignored.
func (c *Client) DeleteTask(ctx context.Context, clusterID, taskID string) error {
	task, err := pathSegment("task id", taskID)
	if err != nil {
		return err
	}
	path, projectID, err := c.tasksPath(ctx, clusterID)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &apiRequest{
		method: http.MethodDelete, base: c.css, path: path + "/" + task,
		auth: true, projectID: projectID,
	})
	return err
}

// tasksPath checks the cluster id, finds the project id and returns the escaped path
// /v1.0/{project_id}/clusters/{cluster_id}/ai-ops.
func (c *Client) tasksPath(ctx context.Context, clusterID string) (string, string, error) {
	cluster, err := pathSegment("cluster id", clusterID)
	if err != nil {
		return "", "", err
	}
	projectID, err := c.ProjectID(ctx)
	if err != nil {
		return "", "", err
	}
	project, err := pathSegment("project id", projectID)
	if err != nil {
		return "", "", err
	}
	return "/v1.0/" + project + "/clusters/" + cluster + "/ai-ops", projectID, nil
}
