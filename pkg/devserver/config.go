package devserver

import (
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

// loopback is the address of every service but the public frontend.
const loopback = "127.0.0.1"

// internalFrontend is the service the server's own clients (system workers, history) use when
// the public frontend serves TLS: on loopback, with the internal TLS of the other services.
const internalFrontend = string(primitives.InternalFrontendService)

// serverConfig is the static configuration of a single-node cluster on st, with the frontend
// on ip:port and the other services on free loopback ports, and the services to run. With TLS
// the frontend serves tls, every other port serves the internal TLS of internal (see
// TLS.rootTLS), and an internal frontend is added for the server's own clients: Temporal
// routes them there when the configuration has one, with the internode TLS settings, so they
// need no certificate of the operator's client CA.
func serverConfig(st store, ip string, port int, tls TLS, internal *internalPKI) (*config.Config, []string, error) {
	frontend := net.JoinHostPort(ip, strconv.Itoa(port))
	names := append([]string(nil), temporal.DefaultServices...)
	if tls.enabled() {
		names = append(names, internalFrontend)
	}
	services := map[string]config.Service{}
	for _, name := range names {
		bind, grpcPort := loopback, port
		if name == string(primitives.FrontendService) {
			bind = ip
		} else {
			p, err := freePort(loopback)
			if err != nil {
				return nil, nil, err
			}
			grpcPort = p
		}
		memberPort, err := freePort(bind)
		if err != nil {
			return nil, nil, err
		}
		services[name] = config.Service{RPC: config.RPC{GRPCPort: grpcPort, MembershipPort: memberPort, BindOnIP: bind}}
	}
	cfg := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: loopback},
			TLS:        tls.rootTLS(internal),
		},
		Persistence: st.persistence(),
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
	}
	if !tls.enabled() {
		// The server's own clients dial the frontend; with TLS they find the internal one
		// through membership instead (an empty HostPort).
		cfg.PublicClient = config.PublicClient{HostPort: frontend}
	}
	return cfg, names, nil
}

// listenAddresses are the TCP addresses cfg has the server listen on: each service's gRPC
// port, its membership (ringpop) port and its HTTP API port if any (none here), on the
// service's BindOnIP.
func listenAddresses(cfg *config.Config) []string {
	var addrs []string
	for _, svc := range cfg.Services {
		for _, p := range []int{svc.RPC.GRPCPort, svc.RPC.MembershipPort, svc.RPC.HTTPPort} {
			if p != 0 {
				addrs = append(addrs, net.JoinHostPort(svc.RPC.BindOnIP, strconv.Itoa(p)))
			}
		}
	}
	return addrs
}
