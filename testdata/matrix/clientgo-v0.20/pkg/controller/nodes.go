package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

const (
	rackLabel  = "topology.example.com/rack"
	maxRetries = 5
)

// RackLookup asks the cloud provider which rack a machine sits in.
type RackLookup interface {
	RackOf(ctx context.Context, providerID string) (string, error)
}

// StaticRacks is the lookup used outside the cloud: every node is in rack "0".
type StaticRacks struct{}

func (StaticRacks) RackOf(context.Context, string) (string, error) { return "0", nil }

// rateLimiter is the part of the queue the delete path needs, so that its
// tests can record calls instead of waiting on a real limiter.
type rateLimiter interface {
	AddRateLimited(item interface{})
}

// NodeController keeps the rack label of every node in line with the cloud provider.
type NodeController struct {
	client corev1client.NodesGetter
	nodes  corelisters.NodeLister
	racks  RackLookup
	queue  workqueue.RateLimitingInterface
	synced cache.InformerSynced

	// enqueueNode is a field so tests can observe what the handlers queue.
	enqueueNode func(obj interface{})
}

func NewNodeController(client corev1client.NodesGetter, nodes cache.SharedIndexInformer, racks RackLookup) *NodeController {
	c := &NodeController{
		client: client,
		nodes:  corelisters.NewNodeLister(nodes.GetIndexer()),
		racks:  racks,
		queue:  workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), "node-rack"),
		synced: nodes.HasSynced,
	}
	c.enqueueNode = func(obj interface{}) {
		key, err := cache.MetaNamespaceKeyFunc(obj)
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		c.queue.AddRateLimited(key)
	}

	nodes.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueueNode,
		UpdateFunc: func(oldObj, newObj interface{}) {
			old, cur := oldObj.(*corev1.Node), newObj.(*corev1.Node)
			if old.Spec.ProviderID == cur.Spec.ProviderID && old.Labels[rackLabel] == cur.Labels[rackLabel] {
				return
			}
			//queuefix:ignore debounce bursts from the cloud provider
			c.queue.AddRateLimited(cur.Name)
		},
		DeleteFunc: func(obj interface{}) {
			key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
			if err != nil {
				utilruntime.HandleError(err)
				return
			}
			requeue(c.queue, key)
		},
	})
	return c
}

// requeue hands key to rl; syncNode treats a missing node as a deletion.
func requeue(rl rateLimiter, key string) {
	rl.AddRateLimited(key)
}

func (c *NodeController) Run(workers int, stopCh <-chan struct{}) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(stopCh, c.synced) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.Until(c.worker, time.Second, stopCh)
	}
	<-stopCh
}

func (c *NodeController) worker() {
	for c.processNextItem() {
	}
}

func (c *NodeController) processNextItem() bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)

	err := c.syncNode(key.(string))
	c.handleErr(err, key)
	return true
}

func (c *NodeController) handleErr(err error, key interface{}) {
	if err == nil {
		return
	}
	if c.queue.NumRequeues(key) < maxRetries {
		klog.Infof("Error syncing node %v: %v", key, err)
		c.queue.AddRateLimited(key)
		return
	}
	c.queue.Forget(key)
	utilruntime.HandleError(err)
	klog.Infof("Dropping node %q out of the queue: %v", key, err)
}

func (c *NodeController) syncNode(name string) error {
	node, err := c.nodes.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	rack, err := c.racks.RackOf(context.TODO(), node.Spec.ProviderID)
	if err != nil {
		return err
	}
	if node.Labels[rackLabel] == rack {
		return nil
	}
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, rackLabel, rack)
	_, err = c.client.Nodes().Patch(context.TODO(), name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}
