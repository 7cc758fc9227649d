package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

const namespace = "demo"

// source is a ListerWatcher over one fake watch: the informer lists nothing,
// then sees exactly the events sent to it. The watch is unbuffered, so a
// sender waits for the informer instead of dropping or panicking.
type source struct {
	w *watch.FakeWatcher
}

func newSource() *source {
	return &source{w: watch.NewFake()}
}

func (s *source) List(metav1.ListOptions) (runtime.Object, error) {
	return &corev1.ConfigMapList{ListMeta: metav1.ListMeta{ResourceVersion: "0"}}, nil
}

func (s *source) Watch(metav1.ListOptions) (watch.Interface, error) {
	if s.w.IsStopped() {
		return nil, fmt.Errorf("fake watch stopped")
	}
	return s.w, nil
}

// IsWatchListSemanticsUnSupported keeps the reflector on list+watch: a fake
// watch cannot stream the initial list.
func (s *source) IsWatchListSemanticsUnSupported() bool {
	return true
}

// stream makes the event sequence. It depends only on the seed, so both
// controllers get the same one.
type stream struct {
	rng    *rand.Rand
	target int // live objects to keep around
	seq    int // next object number: names are never reused
	rv     int
	live   []*corev1.ConfigMap
}

func newStream(seed uint64, target int) *stream {
	return &stream{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), target: target}
}

// next returns the next event.
func (s *stream) next() watch.Event {
	p := s.rng.Float64()
	switch {
	case len(s.live) < s.target || p < 0.2:
		return s.create()
	case p < 0.45:
		return s.remove()
	default:
		return s.update()
	}
}

func (s *stream) create() watch.Event {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Namespace: namespace,
		Name:      fmt.Sprintf("obj-%06d", s.seq),
	}}
	s.seq++
	s.stamp(cm)
	s.live = append(s.live, cm)
	return watch.Event{Type: watch.Added, Object: cm}
}

func (s *stream) update() watch.Event {
	i := s.rng.IntN(len(s.live))
	cm := s.live[i].DeepCopy()
	s.stamp(cm)
	s.live[i] = cm
	return watch.Event{Type: watch.Modified, Object: cm}
}

func (s *stream) remove() watch.Event {
	i := s.rng.IntN(len(s.live))
	cm := s.live[i].DeepCopy()
	s.stamp(cm)
	s.live[i] = s.live[len(s.live)-1]
	s.live = s.live[:len(s.live)-1]
	return watch.Event{Type: watch.Deleted, Object: cm}
}

// stamp gives cm a new resource version and new content. Every event's
// object is built afresh, as the informer decodes each one from the watch:
// no string is shared with earlier versions of the object.
func (s *stream) stamp(cm *corev1.ConfigMap) {
	s.rv++
	rv := strconv.Itoa(s.rv)
	cm.ResourceVersion = rv
	cm.Labels = map[string]string{
		"app.kubernetes.io/name":      "demo",
		"app.kubernetes.io/component": "backend",
		"demo.queuefix.io/revision":   rv,
	}
	cm.Data = map[string]string{
		"application.properties": properties(cm.Name, rv),
		"revision":               rv,
	}
	cm.Annotations = map[string]string{lastApplied: lastAppliedJSON(cm)}
}

// lastApplied is the annotation kubectl apply keeps: a copy of the object as
// applied, which doubles the size of many real objects.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// propertyLines makes the data of a ConfigMap about 4 KiB.
const propertyLines = 56

// properties returns the configuration file one version of an object holds.
func properties(name, rv string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s/%s, revision %s\n", namespace, name, rv)
	for i := range propertyLines {
		fmt.Fprintf(&b, "service.%s.endpoint.%02d=https://backend-%02d.%s.svc:8443/v1?rev=%s\n", name, i, i, namespace, rv)
	}
	return b.String()
}

func lastAppliedJSON(cm *corev1.ConfigMap) string {
	applied := map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata":   map[string]any{"namespace": cm.Namespace, "name": cm.Name, "labels": cm.Labels},
		"data":       cm.Data,
	}
	b, err := json.Marshal(applied)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return string(b)
}
