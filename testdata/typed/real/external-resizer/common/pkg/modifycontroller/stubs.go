package modifycontroller

import v1 "k8s.io/api/core/v1"

// modify and validateVACAndModifyVolumeWithTarget stand in for
// modify_volume.go, which the migration did not touch.
func (ctrl *modifyController) modify(pvc *v1.PersistentVolumeClaim, pv *v1.PersistentVolume) (*v1.PersistentVolumeClaim, *v1.PersistentVolume, error, bool) {
	return pvc, pv, nil, false
}

func (ctrl *modifyController) validateVACAndModifyVolumeWithTarget(pvc *v1.PersistentVolumeClaim, pv *v1.PersistentVolume) (*v1.PersistentVolumeClaim, *v1.PersistentVolume, error, bool) {
	return pvc, pv, nil, false
}
