// drctl's lab vCenter: govmomi's vCenter simulator (vcsim) with the few things drctl's tests and
// lab need that the stock simulator lacks — its own credentials and instance UUID, VMFS LUNs
// from a directory (vmfs.go), a VMware Tools heartbeat that turns green after a delay
// (tools.go), and a control endpoint that counts calls and injects faults (control.go).
//
// It prints one line per fact on stdout once it listens, for whoever started it:
//
//	VCSIM_URL=https://127.0.0.1:PORT/sdk
//	VCSIM_THUMBPRINT=AB:CD:…            (SHA-256 of the served certificate)
//	VCSIM_INVENTORY=dc=1 cluster=1 host=3 vm=0 ds=1
//	VCSIM_READY
//
// SIGTERM or SIGINT removes the simulator's temporary datastore directories and exits at once:
// the stock Server.Close waits for in-flight calls, which can take minutes under load.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

type options struct {
	listen             string
	username           string
	password           string
	instanceUUID       string
	datacenters        int
	clusters           int
	clusterHosts       int
	standaloneHosts    int
	vmsPerPool         int
	datastores         int
	portgroups         int
	pools              int
	autostart          bool
	plainHTTP          bool
	tlsCert            string
	tlsKey             string
	certOut            string
	toolsDelay         time.Duration
	toolsNever         string
	sessionIdleTimeout time.Duration
	sanDir             string
	mountLuns          bool
	passwordFile       string
	renameFile         string
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	flag.StringVar(&o.username, "username", "", "the only user accepted (empty: any non-empty user and password)")
	flag.StringVar(&o.password, "password", "", "the password of -username")
	flag.StringVar(&o.instanceUUID, "instance-uuid", "", "about.instanceUuid (every stock instance shares one)")
	flag.IntVar(&o.datacenters, "dc", 1, "datacenters")
	flag.IntVar(&o.clusters, "cluster", 1, "clusters per datacenter")
	flag.IntVar(&o.clusterHosts, "host", 3, "hosts per cluster")
	flag.IntVar(&o.standaloneHosts, "standalone-host", 0, "standalone hosts per datacenter")
	flag.IntVar(&o.vmsPerPool, "vm", 0, "VMs per cluster root pool and per standalone host")
	flag.IntVar(&o.datastores, "ds", 1, "local datastores per datacenter (LocalDS_n)")
	flag.IntVar(&o.portgroups, "pg", 2, "distributed port groups per datacenter (DC0_DVPGn)")
	flag.IntVar(&o.pools, "pool", 0, "child resource pools per cluster")
	flag.BoolVar(&o.autostart, "autostart", true, "power on the VMs the model creates")
	flag.BoolVar(&o.plainHTTP, "http", false, "serve plain HTTP instead of HTTPS")
	flag.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate to serve (default: a new self-signed one for 127.0.0.1 and localhost)")
	flag.StringVar(&o.tlsKey, "tls-key", "", "PEM key of -tls-cert")
	flag.StringVar(&o.certOut, "cert-out", "", "write the served certificate (PEM) to this file, for clients' caFile")
	flag.DurationVar(&o.toolsDelay, "tools-delay", 0, "Tools heartbeat turns green this long after power-on (0: never, as stock vcsim)")
	flag.StringVar(&o.toolsNever, "tools-never", "", "glob of VM names whose Tools never start")
	flag.DurationVar(&o.sessionIdleTimeout, "session-idle-timeout", 0, "expire sessions idle this long (0: never)")
	flag.StringVar(&o.sanDir, "san-dir", "", "directory whose sub-directories are VMFS LUNs presented to every host")
	flag.BoolVar(&o.mountLuns, "mount-luns", false, "mount every LUN of -san-dir at start, named by its label")
	flag.StringVar(&o.passwordFile, "password-file", "", "read the password of -username from this file's first line (keeps it off the command line)")
	flag.StringVar(&o.renameFile, "rename", "", "JSON file {\"old name\": \"new name\"} renaming inventory objects after creation (clusters, hosts, port groups, datastores)")
	flag.Parse()
	return o
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	o := parseFlags()

	model := simulator.VPX()
	model.Datacenter = o.datacenters
	model.Cluster = o.clusters
	model.ClusterHost = o.clusterHosts
	model.Host = o.standaloneHosts
	model.Machine = o.vmsPerPool
	model.Datastore = o.datastores
	model.Portgroup = o.portgroups
	model.Pool = o.pools
	model.Autostart = o.autostart
	if o.instanceUUID != "" {
		model.ServiceContent.About.InstanceUuid = o.instanceUUID
	}
	if o.sessionIdleTimeout > 0 {
		simulator.SessionIdleTimeout = o.sessionIdleTimeout
	}
	if err := model.Create(); err != nil {
		log.Fatalf("create the inventory: %s", err)
	}
	if o.renameFile != "" {
		if err := renameInventory(o.renameFile); err != nil {
			log.Fatalf("-rename: %s", err)
		}
	}
	if o.passwordFile != "" {
		data, err := os.ReadFile(o.passwordFile)
		if err != nil {
			log.Fatalf("-password-file: %s", err)
		}
		o.password = strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])
	}

	listen := &url.URL{Host: o.listen}
	if o.username != "" {
		listen.User = url.UserPassword(o.username, o.password)
	}
	model.Service.Listen = listen
	if !o.plainHTTP {
		config := &tls.Config{}
		if o.tlsCert != "" {
			pair, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
			if err != nil {
				log.Fatalf("load -tls-cert/-tls-key: %s", err)
			}
			config.Certificates = []tls.Certificate{pair}
		} else {
			// govmomi's built-in certificate has an RSA key that OpenSSL's default security
			// level rejects, and every instance would share it: make one per process.
			pair, err := selfSignedCertificate()
			if err != nil {
				log.Fatalf("create a certificate: %s", err)
			}
			config.Certificates = []tls.Certificate{pair}
		}
		model.Service.TLS = config
	}

	tools := newToolsHook(o.toolsDelay, o.toolsNever)
	simulator.Map.AddHandler(tools)
	if o.sanDir != "" {
		if err := installVmfs(o.sanDir, o.mountLuns); err != nil {
			log.Fatalf("-san-dir: %s", err)
		}
	}

	server := model.Service.NewServer()
	// The control endpoint wraps the SDK handler; the server has not been told to anyone yet.
	server.Server.Config.Handler = newControl(server.Server.Config.Handler, tools)

	serverURL := *server.URL
	serverURL.User = nil
	fmt.Printf("VCSIM_URL=%s\n", serverURL.String())
	if !o.plainHTTP {
		der := server.Server.TLS.Certificates[0].Certificate[0]
		fmt.Printf("VCSIM_THUMBPRINT=%s\n", thumbprint(der))
		if o.certOut != "" {
			pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
			if err := os.WriteFile(o.certOut, pemBytes, 0o644); err != nil {
				log.Fatalf("-cert-out: %s", err)
			}
		}
	}
	count := model.Count()
	fmt.Printf("VCSIM_INVENTORY=dc=%d cluster=%d host=%d vm=%d ds=%d\n",
		count.Datacenter, count.Cluster, count.Host+count.ClusterHost, count.Machine, count.Datastore)
	fmt.Println("VCSIM_READY")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	model.Remove()
	os.Exit(0)
}

func thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
