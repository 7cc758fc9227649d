package controller

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"example.com/clientgo-v0.20/pkg/handlers"
	"example.com/clientgo-v0.20/pkg/workq"
)

const (
	reloadAnnotation   = "reloader.example.com/enabled"
	checksumAnnotation = "reloader.example.com/config-versions"
)

// ReloaderController rolls Deployments when a ConfigMap they mount changes,
// by stamping the versions of the mounted ConfigMaps on the pod template.
type ReloaderController struct {
	client      appsv1client.DeploymentsGetter
	deployments appslisters.DeploymentLister
	configMaps  corelisters.ConfigMapLister
	broker      *workq.Broker
	synced      []cache.InformerSynced
}

func NewReloaderController(client appsv1client.DeploymentsGetter, deployments, configMaps cache.SharedIndexInformer, broker *workq.Broker) *ReloaderController {
	c := &ReloaderController{
		client:      client,
		deployments: appslisters.NewDeploymentLister(deployments.GetIndexer()),
		configMaps:  corelisters.NewConfigMapLister(configMaps.GetIndexer()),
		broker:      broker,
		synced:      []cache.InformerSynced{deployments.HasSynced, configMaps.HasSynced},
	}
	configMaps.AddEventHandler(handlers.Funcs(c.addConfigMap, c.updateConfigMap, nil, false))
	deployments.AddEventHandler(&cache.FilteringResourceEventHandler{
		FilterFunc: func(obj interface{}) bool {
			d, ok := obj.(*appsv1.Deployment)
			return ok && d.Annotations[reloadAnnotation] == "true"
		},
		Handler: deploymentHandler{c},
	})
	return c
}

func (c *ReloaderController) addConfigMap(obj interface{}) {
	c.enqueueConsumers(obj.(*corev1.ConfigMap))
}

func (c *ReloaderController) updateConfigMap(oldObj, newObj interface{}) {
	old, cur := oldObj.(*corev1.ConfigMap), newObj.(*corev1.ConfigMap)
	if reflect.DeepEqual(old.Data, cur.Data) && reflect.DeepEqual(old.BinaryData, cur.BinaryData) {
		return
	}
	c.enqueueConsumers(cur)
}

// enqueueConsumers queues every deployment in cm's namespace that mounts cm.
func (c *ReloaderController) enqueueConsumers(cm *corev1.ConfigMap) {
	deps, err := c.deployments.Deployments(cm.Namespace).List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, d := range deps {
		if d.Annotations[reloadAnnotation] != "true" {
			continue
		}
		for _, name := range mountedConfigMaps(d) {
			if name == cm.Name {
				c.broker.GetQueue().AddRateLimited(d.Namespace + "/" + d.Name)
				break
			}
		}
	}
}

// deploymentHandler syncs a deployment when its spec changes.
type deploymentHandler struct {
	c *ReloaderController
}

func (h deploymentHandler) OnAdd(obj interface{}) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	h.c.broker.GetQueue().AddRateLimited(key)
}

func (h deploymentHandler) OnUpdate(oldObj, newObj interface{}) {
	// Status updates and resyncs do not change the generation.
	if oldObj.(*appsv1.Deployment).Generation == newObj.(*appsv1.Deployment).Generation {
		return
	}
	h.OnAdd(newObj)
}

func (h deploymentHandler) OnDelete(obj interface{}) {}

func (c *ReloaderController) Run(workers int, stopCh <-chan struct{}) {
	defer utilruntime.HandleCrash()
	defer c.broker.ShutDown()
	if !cache.WaitForCacheSync(stopCh, c.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.Until(func() {
			for c.processNextWorkItem() {
			}
		}, time.Second, stopCh)
	}
	<-stopCh
}

func (c *ReloaderController) processNextWorkItem() bool {
	key, quit := c.broker.GetQueue().Get()
	if quit {
		return false
	}
	defer c.broker.GetQueue().Done(key)

	if err := c.sync(key.(string)); err != nil {
		utilruntime.HandleError(fmt.Errorf("reloading %q: %v", key, err))
		c.broker.GetQueue().AddRateLimited(key)
		return true
	}
	return true
}

func (c *ReloaderController) sync(key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	d, err := c.deployments.Deployments(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var versions []string
	for _, cmName := range mountedConfigMaps(d) {
		cm, err := c.configMaps.ConfigMaps(ns).Get(cmName)
		if err != nil {
			return err
		}
		versions = append(versions, cmName+"@"+cm.ResourceVersion)
	}
	sum := strings.Join(versions, ",")
	if d.Spec.Template.Annotations[checksumAnnotation] == sum {
		return nil
	}
	d = d.DeepCopy()
	if d.Spec.Template.Annotations == nil {
		d.Spec.Template.Annotations = map[string]string{}
	}
	d.Spec.Template.Annotations[checksumAnnotation] = sum
	_, err = c.client.Deployments(ns).Update(context.TODO(), d, metav1.UpdateOptions{})
	return err
}

func mountedConfigMaps(d *appsv1.Deployment) []string {
	var names []string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			names = append(names, v.ConfigMap.Name)
		}
	}
	return names
}