package main

import (
	"net/netip"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

func TestServiceOf(t *testing.T) {
	for name, want := range map[string][2]string{
		"web.ns.svc.cluster.local.":             {"web", "ns"},
		"Web.NS.svc.cluster.local":              {"web", "ns"},
		"web.ns.svc.other.local.":               {},
		"a.web.ns.svc.cluster.local.":           {},
		"ns.svc.cluster.local.":                 {},
		"web.ns.cluster.local.":                 {},
		"kubernetes.default.svc.cluster.local.": {"kubernetes", "default"},
	} {
		svc, ns, ok := serviceOf(name, "cluster.local")
		if ok != (want[0] != "") || svc != want[0] || ns != want[1] {
			t.Errorf("serviceOf(%q) = %q, %q, %v; want %q, %q", name, svc, ns, ok, want[0], want[1])
		}
	}
}

func query(t *testing.T, name string, typ dnsmessage.Type) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	if err := b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET}); err != nil {
		t.Fatal(err)
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAnswer(t *testing.T) {
	lookup := func(name string) ([]netip.Addr, bool) {
		if name == "web.ns.svc.cluster.local." {
			return []netip.Addr{netip.MustParseAddr("10.96.0.7")}, true
		}
		return nil, false
	}
	cases := []struct {
		name    string
		typ     dnsmessage.Type
		rcode   dnsmessage.RCode
		answers []string
	}{
		{"web.ns.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, []string{"10.96.0.7"}},
		{"web.ns.svc.cluster.local.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, nil},
		{"nope.ns.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeNameError, nil},
		{"example.com.", dnsmessage.TypeA, dnsmessage.RCodeRefused, nil},
	}
	for _, c := range cases {
		reply, ok := answer(query(t, c.name, c.typ), "cluster.local", lookup)
		if !ok {
			t.Fatalf("%s: no reply", c.name)
		}
		var msg dnsmessage.Message
		if err := msg.Unpack(reply); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range msg.Answers {
			if r, isA := a.Body.(*dnsmessage.AResource); isA {
				got = append(got, netip.AddrFrom4(r.A).String())
			}
		}
		if msg.Header.ID != 7 || !msg.Header.Response || msg.Header.RCode != c.rcode || len(got) != len(c.answers) || (len(got) > 0 && got[0] != c.answers[0]) {
			t.Errorf("%s %v: id %d rcode %v answers %v; want rcode %v answers %v", c.name, c.typ, msg.Header.ID, msg.Header.RCode, got, c.rcode, c.answers)
		}
	}
	if _, ok := answer([]byte{1, 2, 3}, "cluster.local", lookup); ok {
		t.Error("a malformed packet got a reply")
	}
}
