// Command leaky runs a small Pod controller against a fake clientset for a
// few seconds, touching the pods while it runs, and then prints how many
// failures the queue's rate limiter remembers for each pod.
package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
)

const namespace = "default"

func main() {
	var objects []runtime.Object
	for _, name := range []string{"web-0", "web-1", "web-2"} {
		objects = append(objects, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}})
	}
	objects = append(objects, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: settingsName, Namespace: namespace}})
	client := fake.NewClientset(objects...)

	factory := informers.NewSharedInformerFactory(client, 0)
	c := NewController(factory.Core().V1().Pods(), factory.Core().V1().ConfigMaps())

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	factory.Start(ctx.Done())
	go c.Run(ctx, 2)
	go touchPods(ctx, client)
	<-ctx.Done()

	for _, obj := range objects[:3] {
		pod := obj.(*corev1.Pod)
		key := namespace + "/" + pod.Name
		fmt.Printf("%s: synced %d times, rate limiter remembers %d failures\n", key, c.Syncs(key), c.queue.NumRequeues(key))
	}
}

// touchPods bumps a label on every pod ten times a second, the way status
// updates keep arriving in a real cluster.
func touchPods(ctx context.Context, client *fake.Clientset) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, name := range []string{"web-0", "web-1", "web-2"} {
			pod, err := client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				continue
			}
			pod.Labels = map[string]string{"generation": fmt.Sprint(i)}
			_, _ = client.CoreV1().Pods(namespace).Update(ctx, pod, metav1.UpdateOptions{})
		}
	}
}
