// Command onexit-launcher is the small part of the test control plane that Kubernetes
// does not ship as a binary:
//
//	onexit-launcher pki  --dir DIR --server URL   makes the PKI and kubeconfigs (once)
//	onexit-launcher etcd --data-dir DIR ...       runs an embedded etcd until SIGTERM
//	onexit-launcher dns --kubeconfig FILE ...     answers Service names for the kubelet node's pods
//	onexit-launcher image --name REF --out FILE   writes a one-layer image archive (the pause image)
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "pki":
		err = runPKI(os.Args[2:])
	case "etcd":
		err = runEtcd(os.Args[2:])
	case "dns":
		err = runDNS(os.Args[2:])
	case "image":
		err = runImage(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "onexit-launcher %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: onexit-launcher pki --dir DIR --server URL | etcd --data-dir DIR [--client-url URL] [--peer-url URL] | dns --kubeconfig FILE [--listen ADDR] | image --name REF --out FILE --entrypoint PATH --file DEST=SRC...")
	os.Exit(2)
}
