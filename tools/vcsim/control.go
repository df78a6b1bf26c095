package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path"
	"reflect"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The lab's control endpoint, in front of the SDK:
//
//	GET    /lab/calls   {"PowerOnVM_Task": {"web01": 1}, …}: SOAP calls by method and target name
//	                    (the entity `_this` names, or the `name` argument of RegisterVM_Task), so
//	                    tests count what reached the server rather than what the client believes.
//	POST   /lab/faults  [{"method": "PowerOnVM_Task", "target": "web*", "fault": "InvalidState", "times": 1}]
//	                    adds faults: a matching `*_Task` call returns a task that fails with the
//	                    fault; any other matching call gets the SOAP fault; "drop" closes the
//	                    connection without an answer.
//	                    "empty" answers the call with an empty response, as if there were nothing
//	                    to return (QueryUnresolvedVmfsVolumes: no LUN after the rescans).
//	DELETE /lab/faults  removes every fault.
//	POST   /lab/tools   {"never": "db*"}: VMs whose Tools never start, from their next power-on.
type fault struct {
	Method string `json:"method"`
	Target string `json:"target"`
	Fault  string `json:"fault"`
	Times  int    `json:"times"`
}

type control struct {
	sdk   http.Handler
	tools *toolsHook

	mu     sync.Mutex
	calls  map[string]map[string]int
	faults []*fault
}

func newControl(sdk http.Handler, tools *toolsHook) http.Handler {
	return &control{sdk: sdk, tools: tools, calls: map[string]map[string]int{}}
}

func (c *control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/lab/calls" && r.Method == http.MethodGet:
		c.mu.Lock()
		data, _ := json.Marshal(c.calls)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	case r.URL.Path == "/lab/faults" && r.Method == http.MethodPost:
		var added []*fault
		if err := json.NewDecoder(r.Body).Decode(&added); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, f := range added {
			if _, ok := types.TypeFunc()(f.Fault); !ok && f.Fault != dropConnection && f.Fault != emptyAnswer {
				http.Error(w, "unknown fault type "+f.Fault, http.StatusBadRequest)
				return
			}
		}
		c.mu.Lock()
		c.faults = append(c.faults, added...)
		c.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/lab/tools" && r.Method == http.MethodPost:
		var body struct {
			Never string `json:"never"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.tools.setNever(body.Never)
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/lab/faults" && r.Method == http.MethodDelete:
		c.mu.Lock()
		c.faults = nil
		c.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/sdk"):
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		call := parseCall(body)
		c.count(call)
		if f := c.takeFault(call); f != nil {
			c.inject(w, call, f)
			return
		}
		c.sdk.ServeHTTP(w, r)
	default:
		c.sdk.ServeHTTP(w, r)
	}
}

type soapCall struct {
	method string
	this   types.ManagedObjectReference
	target string
}

// parseCall reads the method, `_this` and (for RegisterVM_Task) `name` of a SOAP request.
func parseCall(body []byte) soapCall {
	var call soapCall
	decoder := xml.NewDecoder(bytes.NewReader(body))
	depth, inBody := 0, false
	var field string
	for {
		token, err := decoder.Token()
		if err != nil {
			break
		}
		switch t := token.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "Body":
				inBody = true
			case inBody && call.method == "":
				call.method = t.Name.Local
			case call.method != "" && (t.Name.Local == "_this" || t.Name.Local == "name"):
				field = t.Name.Local
				for _, a := range t.Attr {
					if a.Name.Local == "type" && field == "_this" {
						call.this.Type = a.Value
					}
				}
			}
		case xml.CharData:
			switch field {
			case "_this":
				call.this.Value += string(t)
			case "name":
				call.target += string(t)
			}
		case xml.EndElement:
			depth--
			field = ""
		}
	}
	if call.target == "" && call.this.Value != "" {
		if entity, ok := simulator.Map.Get(call.this).(mo.Entity); ok {
			call.target = entity.Entity().Name
		} else {
			call.target = call.this.Value
		}
	}
	return call
}

func (c *control) count(call soapCall) {
	if call.method == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	byTarget := c.calls[call.method]
	if byTarget == nil {
		byTarget = map[string]int{}
		c.calls[call.method] = byTarget
	}
	byTarget[call.target]++
}

func (c *control) takeFault(call soapCall) *fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.faults {
		if f.Method != call.method {
			continue
		}
		if matched, _ := path.Match(f.Target, call.target); f.Target != "" && !matched {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				c.faults = append(c.faults[:i], c.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

const envelopeStart = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`
const envelopeEnd = `</soapenv:Body></soapenv:Envelope>`

// dropConnection as a fault closes the connection without an answer (a vCenter that dies
// mid-call); the call is not run.
const dropConnection = "drop"

// emptyAnswer as a fault answers with an empty response; the call is not run.
const emptyAnswer = "empty"

func (c *control) inject(w http.ResponseWriter, call soapCall, f *fault) {
	if f.Fault == dropConnection {
		if hijacker, ok := w.(http.Hijacker); ok {
			if conn, _, err := hijacker.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.Fault == emptyAnswer {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		fmt.Fprintf(w, `%s<%sResponse xmlns="urn:vim25"></%sResponse>%s`, envelopeStart, call.method, call.method, envelopeEnd)
		return
	}
	kind, _ := types.TypeFunc()(f.Fault)
	methodFault, _ := reflect.New(kind).Interface().(types.BaseMethodFault)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	obj := simulator.Map.Get(call.this)
	if strings.HasSuffix(call.method, "_Task") && obj != nil && methodFault != nil {
		task := simulator.CreateTask(obj, strings.TrimSuffix(call.method, "_Task"), func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
			return nil, methodFault
		})
		ref := task.Run()
		fmt.Fprintf(w, `%s<%sResponse xmlns="urn:vim25"><returnval type="Task">%s</returnval></%sResponse>%s`,
			envelopeStart, call.method, xmlText(ref.Value), call.method, envelopeEnd)
		return
	}
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `%s<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>injected %s</faultstring><detail><%sFault xmlns="urn:vim25" xsi:type="%s"></%sFault></detail></soapenv:Fault>%s`,
		envelopeStart, xmlText(f.Fault), f.Fault, f.Fault, f.Fault, envelopeEnd)
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
