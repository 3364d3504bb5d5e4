package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// runDNS answers the cluster's Service names for the kubelet node's pods (the kubelet's
// clusterDNS), the part of CoreDNS's kubernetes plugin the tests use:
//
//	<svc>.<ns>.svc.<domain>  A: the ClusterIP, or the ready endpoints of a headless Service
//
// A name in the domain that names no Service is NXDOMAIN; a known name has no AAAA (empty
// answer, so resolvers asking A and AAAA together take the A); names outside the domain are
// refused (the test cluster has no upstream). UDP only: answers are a few records.
func runDNS(args []string) error {
	fs := flag.NewFlagSet("dns", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig to watch Services and EndpointSlices with")
	listen := fs.String("listen", "10.250.0.1:53", "UDP address to serve on")
	domain := fs.String("domain", "cluster.local", "cluster domain")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	services := factory.Core().V1().Services().Lister()
	slices := factory.Discovery().V1().EndpointSlices().Lister()
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("cache of %v did not sync", typ)
		}
	}

	conn, err := net.ListenPacket("udp", *listen)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = conn.Close()
	}()
	fmt.Fprintf(os.Stderr, "onexit-launcher dns: serving *.svc.%s on udp %s\n", *domain, *listen)

	lookup := func(name string) ([]netip.Addr, bool) {
		svcName, ns, ok := serviceOf(name, *domain)
		if !ok {
			return nil, false
		}
		svc, err := services.Services(ns).Get(svcName)
		if err != nil {
			return nil, false
		}
		if svc.Spec.ClusterIP != corev1.ClusterIPNone {
			return parseAddrs(svc.Spec.ClusterIPs), true
		}
		list, err := slices.EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svcName}))
		if err != nil {
			return nil, true
		}
		var addrs []netip.Addr
		for _, s := range list {
			for _, e := range s.Endpoints {
				if e.Conditions.Ready == nil || *e.Conditions.Ready {
					addrs = append(addrs, parseAddrs(e.Addresses)...)
				}
			}
		}
		return addrs, true
	}

	buf := make([]byte, 1500)
	for {
		n, peer, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		if reply, ok := answer(buf[:n], *domain, lookup); ok {
			_, _ = conn.WriteTo(reply, peer)
		}
	}
}

// serviceOf splits "<svc>.<ns>.svc.<domain>." into the Service's name and namespace.
func serviceOf(name, domain string) (svc, ns string, ok bool) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	rest, found := strings.CutSuffix(name, ".svc."+domain)
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func parseAddrs(ips []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ips {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// answer builds the reply to one query; false when the packet is not a query worth a reply.
func answer(packet []byte, domain string, lookup func(string) ([]netip.Addr, bool)) ([]byte, bool) {
	var p dnsmessage.Parser
	hdr, err := p.Start(packet)
	if err != nil || hdr.Response {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	reply := dnsmessage.Header{ID: hdr.ID, Response: true, Authoritative: true, RecursionDesired: hdr.RecursionDesired}
	name := strings.ToLower(q.Name.String())
	var addrs []netip.Addr
	switch {
	case !strings.HasSuffix(strings.TrimSuffix(name, "."), "."+domain):
		reply.RCode = dnsmessage.RCodeRefused
		reply.Authoritative = false
	default:
		found, ok := lookup(name)
		if !ok {
			reply.RCode = dnsmessage.RCodeNameError
		}
		addrs = found
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), reply)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, false
	}
	if err := b.Question(q); err != nil {
		return nil, false
	}
	if err := b.StartAnswers(); err != nil {
		return nil, false
	}
	rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 5}
	for _, a := range addrs {
		switch {
		case q.Type == dnsmessage.TypeA && a.Is4():
			err = b.AResource(rh, dnsmessage.AResource{A: a.As4()})
		case q.Type == dnsmessage.TypeAAAA && a.Is6() && !a.Is4In6():
			err = b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: a.As16()})
		}
		if err != nil {
			return nil, false
		}
	}
	out, err := b.Finish()
	return out, err == nil
}
