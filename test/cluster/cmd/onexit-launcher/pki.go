package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runPKI creates, in --dir, whatever of the cluster's PKI is missing:
//
//	ca.crt ca.key                        cluster CA (client-ca, root-ca, kubelet client)
//	apiserver.crt apiserver.key          serving cert of kube-apiserver
//	admin.crt admin.key                  O=system:masters client cert
//	controller-manager.crt/.key          CN=system:kube-controller-manager
//	apiserver-kubelet-client.crt/.key    client cert the API server shows to kubelets
//	front-proxy-ca.crt/.key              CA of the aggregation layer (requestheader)
//	front-proxy-client.crt/.key          client cert the API server shows to extension API servers
//	scheduler.crt/.key                   CN=system:kube-scheduler
//	kube-proxy.crt/.key                  CN=system:kube-proxy (bound to system:node-proxier)
//	kubelet.crt/.key                     CN=system:node:<node>, O=system:nodes (Node authorizer)
//	kubelet-serving.crt/.key             the kubelet's serving cert (node IP and name)
//	sa.key sa.pub                        service-account token signing key pair
//	admin.kubeconfig controller-manager.kubeconfig scheduler.kubeconfig
//	kube-proxy.kubeconfig kubelet.kubeconfig
//
// Existing files are kept, so a second start reuses the same CA and tokens stay valid.
func runPKI(args []string) error {
	fs := flag.NewFlagSet("pki", flag.ExitOnError)
	dir := fs.String("dir", "", "output directory")
	server := fs.String("server", "https://10.250.0.1:6443", "API server URL for the kubeconfigs")
	ips := fs.String("ips", "10.250.0.1,127.0.0.1,10.96.0.1", "IP SANs of the API server certificate")
	dns := fs.String("dns", "localhost,kubernetes,kubernetes.default,kubernetes.default.svc,kubernetes.default.svc.cluster.local", "DNS SANs of the API server certificate")
	nodeName := fs.String("node-name", "onexit-node", "the kubelet's node name (its client and serving certificates)")
	nodeIP := fs.String("node-ip", "10.250.0.1", "the kubelet's address (IP SAN of its serving certificate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--dir is required")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	p := func(name string) string { return filepath.Join(*dir, name) }

	caCert, caKey, err := loadOrCreateCA(p("ca.crt"), p("ca.key"), "onexit-test-ca")
	if err != nil {
		return err
	}
	// The aggregation layer's own CA (--requestheader-client-ca-file), as kubeadm does.
	fpCert, fpKey, err := loadOrCreateCA(p("front-proxy-ca.crt"), p("front-proxy-ca.key"), "onexit-front-proxy-ca")
	if err != nil {
		return err
	}

	var ipList []net.IP
	for _, s := range split(*ips) {
		ip := net.ParseIP(s)
		if ip == nil {
			return fmt.Errorf("bad IP %q", s)
		}
		ipList = append(ipList, ip)
	}
	kubeletIP := net.ParseIP(*nodeIP)
	if kubeletIP == nil {
		return fmt.Errorf("bad node IP %q", *nodeIP)
	}
	nodeUser := "system:node:" + *nodeName
	type leaf struct {
		name  string
		tmpl  x509.Certificate
		front bool // signed by the front-proxy CA
	}
	leaves := []leaf{
		{"apiserver", x509.Certificate{
			Subject:     pkix.Name{CommonName: "kube-apiserver"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			IPAddresses: ipList,
			DNSNames:    split(*dns),
		}, false},
		{"admin", x509.Certificate{
			Subject:     pkix.Name{CommonName: "onexit-admin", Organization: []string{"system:masters"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, false},
		{"controller-manager", x509.Certificate{
			Subject:     pkix.Name{CommonName: "system:kube-controller-manager"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, false},
		{"apiserver-kubelet-client", x509.Certificate{
			Subject:     pkix.Name{CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, false},
		{"front-proxy-client", x509.Certificate{
			Subject:     pkix.Name{CommonName: "front-proxy-client"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, true},
		{"scheduler", x509.Certificate{
			Subject:     pkix.Name{CommonName: "system:kube-scheduler"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, false},
		{"kube-proxy", x509.Certificate{
			Subject:     pkix.Name{CommonName: "system:kube-proxy"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, false},
		{"kubelet", x509.Certificate{
			Subject:     pkix.Name{CommonName: nodeUser, Organization: []string{"system:nodes"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, false},
		{"kubelet-serving", x509.Certificate{
			Subject:     pkix.Name{CommonName: nodeUser, Organization: []string{"system:nodes"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			IPAddresses: []net.IP{kubeletIP},
			DNSNames:    []string{*nodeName},
		}, false},
	}
	for _, l := range leaves {
		if exists(p(l.name+".crt")) && exists(p(l.name+".key")) {
			continue
		}
		signer, signerKey := caCert, caKey
		if l.front {
			signer, signerKey = fpCert, fpKey
		}
		if err := createLeaf(p(l.name+".crt"), p(l.name+".key"), l.tmpl, signer, signerKey); err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
	}

	if !exists(p("sa.key")) || !exists(p("sa.pub")) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return err
		}
		if err := writePEM(p("sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key), 0o600); err != nil {
			return err
		}
		if err := writePEM(p("sa.pub"), "PUBLIC KEY", pub, 0o644); err != nil {
			return err
		}
	}

	// Kubeconfigs are cheap: always rewrite them so --server changes take effect.
	for _, k := range []struct{ name, user string }{
		{"admin", "onexit-admin"},
		{"controller-manager", "system:kube-controller-manager"},
		{"scheduler", "system:kube-scheduler"},
		{"kube-proxy", "system:kube-proxy"},
		{"kubelet", nodeUser},
	} {
		if err := writeKubeconfig(p(k.name+".kubeconfig"), *server, k.user, p("ca.crt"), p(k.name+".crt"), p(k.name+".key")); err != nil {
			return err
		}
	}
	return nil
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
}

func loadOrCreateCA(certPath, keyPath, commonName string) (*x509.Certificate, crypto.Signer, error) {
	if exists(certPath) && exists(keyPath) {
		cert, err := readCert(certPath)
		if err != nil {
			return nil, nil, err
		}
		key, err := readKey(keyPath)
		if err != nil {
			return nil, nil, err
		}
		return cert, key, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	if err := writePEM(keyPath, "EC PRIVATE KEY", kder, 0o600); err != nil {
		return nil, nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func createLeaf(certPath, keyPath string, tmpl x509.Certificate, ca *x509.Certificate, caKey crypto.Signer) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	sn, err := serial()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl.SerialNumber = sn
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.AddDate(10, 0, 0)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	tmpl.BasicConstraintsValid = true
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(keyPath, "EC PRIVATE KEY", kder, 0o600); err != nil {
		return err
	}
	return writePEM(certPath, "CERTIFICATE", der, 0o644)
}

func readPEM(path string) (*pem.Block, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM data", path)
	}
	return block, nil
}

func readCert(path string) (*x509.Certificate, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(block.Bytes)
}

func readKey(path string) (crypto.Signer, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s: not a signing key", path)
		}
		return s, nil
	}
}

// writePEM writes atomically (temp file + rename) so a crash never leaves half a key.
func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return writeAtomic(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeKubeconfig(path, server, user, caPath, certPath, keyPath string) error {
	b64 := func(p string) (string, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(b), nil
	}
	ca, err := b64(caPath)
	if err != nil {
		return err
	}
	cert, err := b64(certPath)
	if err != nil {
		return err
	}
	key, err := b64(keyPath)
	if err != nil {
		return err
	}
	doc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: onexit
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: onexit
  context:
    cluster: onexit
    user: %s
    namespace: default
current-context: onexit
`, server, ca, user, cert, key, user)
	return writeAtomic(path, []byte(doc), 0o600)
}
