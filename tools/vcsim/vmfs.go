package main

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// A SAN for vcsim. Every sub-directory of the SAN directory is a LUN presented to every host: its
// name is the VMFS label, and a file `<label>.naa` beside it or `naa` inside it may hold its NAA
// id (an array's device id; otherwise one is derived from the label). A LUN may be a symbolic
// link to a directory. A LUN no datastore points at is an unresolved VMFS
// volume — a snapshot or replica whose signature the host does not know — so the three methods
// stock vcsim lacks can follow the path SRM takes: QueryUnresolvedVmfsVolumes,
// ResignatureUnresolvedVmfsVolume_Task (a `snap-XXXXXXXX-<label>` datastore on every host of the
// datacenter) and RemoveDatastore (unmounts from one host; after the last the LUN is unresolved
// again). The datastore's files are the LUN directory's files.

var sanDir string

type lun struct {
	label string
	dir   string
	naa   string
}

func (l lun) vmfsUUID() string {
	sum := sha1.Sum([]byte("vmfs:" + l.label))
	h := hex.EncodeToString(sum[:])
	return fmt.Sprintf("%s-%s-%s-%s", h[0:8], h[8:16], h[16:20], h[20:32])
}

func (l lun) devicePath() string { return "/vmfs/devices/disks/" + l.naa + ":1" }

func listLuns() ([]lun, error) {
	entries, err := os.ReadDir(sanDir)
	if err != nil {
		return nil, err
	}
	var luns []lun
	for _, entry := range entries {
		if strings.HasPrefix(entry.Name(), ".") {
			continue
		}
		dir := filepath.Join(sanDir, entry.Name())
		// A LUN may be a symbolic link to the volume's data (the lab's DSM simulator exports
		// volumes that way, so a replica and its source can share one directory).
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		naa := ""
		// `<label>.naa` beside the LUN wins over `naa` inside it: a replica shares its source's
		// files but is another device.
		data, err := os.ReadFile(filepath.Join(sanDir, entry.Name()+".naa"))
		if err != nil {
			data, err = os.ReadFile(filepath.Join(dir, "naa"))
		}
		if err == nil {
			naa = strings.ToLower(strings.TrimSpace(string(data)))
			if naa != "" && !strings.HasPrefix(naa, "naa.") {
				naa = "naa." + naa
			}
		}
		if naa == "" {
			sum := sha1.Sum([]byte("lun:" + entry.Name()))
			naa = "naa.6" + hex.EncodeToString(sum[:])[:31]
		}
		luns = append(luns, lun{label: entry.Name(), dir: dir, naa: naa})
	}
	sort.Slice(luns, func(i, j int) bool { return luns[i].label < luns[j].label })
	return luns, nil
}

// datastoreOn returns the datastore whose files are the LUN's, if one is mounted anywhere.
func datastoreOn(l lun) *simulator.Datastore {
	for _, entity := range simulator.Map.All("Datastore") {
		ds, ok := entity.(*simulator.Datastore)
		if ok && filepath.Clean(ds.Info.GetDatastoreInfo().Url) == l.dir {
			return ds
		}
	}
	return nil
}

// vmfsDatastoreSystem adds the VMFS methods to a host's stock datastore system.
// The stock object is embedded by value: the simulator's reflection (property reads, searches
// over every object) digs through first fields to the mo type and panics at a pointer.
type vmfsDatastoreSystem struct {
	simulator.HostDatastoreSystem
}

func installVmfs(dir string, mount bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return err
	}
	sanDir = abs
	for _, entity := range simulator.Map.All("HostSystem") {
		host := entity.(*simulator.HostSystem)
		stock, ok := simulator.Map.Get(*host.ConfigManager.DatastoreSystem).(*simulator.HostDatastoreSystem)
		if ok {
			simulator.Map.Put(&vmfsDatastoreSystem{*stock})
		}
	}
	if !mount {
		return nil
	}
	luns, err := listLuns()
	if err != nil {
		return err
	}
	ctx := &simulator.Context{Context: context.Background(), Map: simulator.Map}
	for _, l := range luns {
		for _, dc := range simulator.Map.All("Datacenter") {
			if _, fault := mountLun(ctx, l, l.label, hostsIn(dc.Reference())); fault != nil {
				return fmt.Errorf("mount LUN %s: %s", l.label, fault.GetMethodFault())
			}
		}
	}
	return nil
}

func datacenterOf(ref types.ManagedObjectReference) types.ManagedObjectReference {
	for {
		entity, ok := simulator.Map.Get(ref).(mo.Entity)
		if !ok || ref.Type == "Datacenter" || entity.Entity().Parent == nil {
			return ref
		}
		ref = *entity.Entity().Parent
	}
}

func hostsIn(dc types.ManagedObjectReference) []*simulator.HostSystem {
	var hosts []*simulator.HostSystem
	for _, entity := range simulator.Map.All("HostSystem") {
		host := entity.(*simulator.HostSystem)
		if datacenterOf(host.Self) == dc {
			hosts = append(hosts, host)
		}
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	return hosts
}

// mountLun creates the datastore on each host (the stock local-datastore code does the
// bookkeeping) and then makes it a VMFS datastore backed by the LUN's device, mounted everywhere.
func mountLun(ctx *simulator.Context, l lun, name string, hosts []*simulator.HostSystem) (types.ManagedObjectReference, types.BaseMethodFault) {
	var ref types.ManagedObjectReference
	var mounts []types.DatastoreHostMount
	for _, host := range hosts {
		dss, ok := simulator.Map.Get(*host.ConfigManager.DatastoreSystem).(*vmfsDatastoreSystem)
		if !ok {
			return ref, &types.NotSupported{}
		}
		res := dss.HostDatastoreSystem.CreateLocalDatastore(ctx, &types.CreateLocalDatastore{This: dss.Self, Name: name, Path: l.dir})
		if fault := res.Fault(); fault != nil {
			return ref, fault.VimFault().(types.BaseMethodFault)
		}
		ref = res.(*methods.CreateLocalDatastoreBody).Res.Returnval
		mounts = append(mounts, types.DatastoreHostMount{
			Key: host.Self,
			MountInfo: types.HostMountInfo{
				Path:       "/vmfs/volumes/" + l.vmfsUUID(),
				AccessMode: string(types.HostMountModeReadWrite),
				Mounted:    types.NewBool(true),
				Accessible: types.NewBool(true),
			},
		})
	}
	ds, ok := simulator.Map.Get(ref).(*simulator.Datastore)
	if !ok {
		return ref, &types.NotFound{}
	}
	simulator.Map.WithLock(ds, func() {
		ds.Host = mounts
		ds.Summary.Type = string(types.HostFileSystemVolumeFileSystemTypeVMFS)
		ds.Info = &types.VmfsDatastoreInfo{
			DatastoreInfo: types.DatastoreInfo{Name: name, Url: l.dir, FreeSpace: 500 << 30, MaxFileSize: 62 << 40},
			Vmfs: &types.HostVmfsVolume{
				HostFileSystemVolume: types.HostFileSystemVolume{Type: "VMFS", Name: name, Capacity: 1 << 40},
				BlockSizeMb:          1,
				MaxBlocks:            1 << 20,
				MajorVersion:         6,
				Version:              "6.82",
				Uuid:                 l.vmfsUUID(),
				Extent:               []types.HostScsiDiskPartition{{DiskName: l.naa, Partition: 1}},
			},
		}
	})
	return ref, nil
}

func (dss *vmfsDatastoreSystem) QueryUnresolvedVmfsVolumes(ctx *simulator.Context, req *types.QueryUnresolvedVmfsVolumes) soap.HasFault {
	body := &methods.QueryUnresolvedVmfsVolumesBody{}
	luns, err := listLuns()
	if err != nil {
		body.Fault_ = simulator.Fault(err.Error(), &types.HostConfigFault{})
		return body
	}
	res := &types.QueryUnresolvedVmfsVolumesResponse{}
	for _, l := range luns {
		if datastoreOn(l) != nil {
			continue
		}
		res.Returnval = append(res.Returnval, types.HostUnresolvedVmfsVolume{
			VmfsLabel:     l.label,
			VmfsUuid:      l.vmfsUUID(),
			TotalBlocks:   1 << 20,
			ResolveStatus: types.HostUnresolvedVmfsVolumeResolveStatus{Resolvable: true},
			Extent: []types.HostUnresolvedVmfsExtent{{
				Device:       types.HostScsiDiskPartition{DiskName: l.naa, Partition: 1},
				DevicePath:   l.devicePath(),
				VmfsUuid:     l.vmfsUUID(),
				IsHeadExtent: true,
				StartBlock:   0,
				EndBlock:     1<<20 - 1,
				Reason:       "uuidConflict",
			}},
		})
	}
	body.Res = res
	return body
}

func (dss *vmfsDatastoreSystem) ResignatureUnresolvedVmfsVolumeTask(ctx *simulator.Context, req *types.ResignatureUnresolvedVmfsVolume_Task) soap.HasFault {
	task := simulator.CreateTask(dss.Self, "resignatureUnresolvedVmfsVolume", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if len(req.ResolutionSpec.ExtentDevicePath) == 0 {
			return nil, &types.InvalidArgument{InvalidProperty: "resolutionSpec.extentDevicePath"}
		}
		luns, err := listLuns()
		if err != nil {
			return nil, &types.HostConfigFault{}
		}
		var found *lun
		for i := range luns {
			if luns[i].devicePath() == req.ResolutionSpec.ExtentDevicePath[0] {
				found = &luns[i]
			}
		}
		if found == nil {
			return nil, &types.NotFound{}
		}
		if datastoreOn(*found) != nil {
			return nil, &types.InvalidState{}
		}
		suffix := make([]byte, 4)
		_, _ = rand.Read(suffix)
		name := fmt.Sprintf("snap-%s-%s", hex.EncodeToString(suffix), found.label)
		hosts := hostsIn(datacenterOf(dss.Host.Self))
		ref, fault := mountLun(ctx, *found, name, hosts)
		if fault != nil {
			return nil, fault
		}
		result := &types.HostResignatureRescanResult{Result: ref}
		for _, host := range hosts {
			result.Rescan = append(result.Rescan, types.HostVmfsRescanResult{Host: host.Self})
		}
		return result, nil
	})
	return &methods.ResignatureUnresolvedVmfsVolume_TaskBody{
		Res: &types.ResignatureUnresolvedVmfsVolume_TaskResponse{Returnval: task.Run()},
	}
}

// RemoveDatastore unmounts the datastore from this host; after the last host it is gone.
func (dss *vmfsDatastoreSystem) RemoveDatastore(ctx *simulator.Context, req *types.RemoveDatastore) soap.HasFault {
	body := &methods.RemoveDatastoreBody{}
	ds, ok := simulator.Map.Get(req.Datastore).(*simulator.Datastore)
	if !ok {
		body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Datastore})
		return body
	}
	host := dss.Host.Self
	for _, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		if vm.Runtime.Host == nil || *vm.Runtime.Host != host {
			continue
		}
		for _, used := range vm.Datastore {
			if used == ds.Self {
				body.Fault_ = simulator.Fault(fmt.Sprintf("datastore %s is in use by VM %s", ds.Name, vm.Name),
					&types.ResourceInUse{Type: "Datastore", Name: ds.Name})
				return body
			}
		}
	}
	var mounted, others []types.DatastoreHostMount
	for _, mount := range ds.Host {
		if mount.Key == host {
			mounted = append(mounted, mount)
		} else {
			others = append(others, mount)
		}
	}
	if len(mounted) == 0 {
		body.Fault_ = simulator.Fault(fmt.Sprintf("datastore %s is not mounted on this host", ds.Name), &types.NotFound{})
		return body
	}
	if len(others) == 0 {
		// The stock Destroy_Task removes it from the last host, its parents and its folder.
		res := ds.DestroyTask(ctx, &types.Destroy_Task{This: ds.Self})
		task := simulator.Map.Get(res.(*methods.Destroy_TaskBody).Res.Returnval).(*simulator.Task)
		if task.Info.Error != nil {
			body.Fault_ = simulator.Fault("", task.Info.Error.Fault)
			return body
		}
		dss.Datastore = removeRef(dss.Datastore, ds.Self)
	} else {
		simulator.Map.WithLock(ds, func() { ds.Host = others })
		dss.Datastore = removeRef(dss.Datastore, ds.Self)
		simulator.Map.RemoveReference(dss.Host, &dss.Host.Datastore, ds.Self)
	}
	body.Res = &types.RemoveDatastoreResponse{}
	return body
}

func removeRef(refs []types.ManagedObjectReference, ref types.ManagedObjectReference) []types.ManagedObjectReference {
	out := refs[:0]
	for _, r := range refs {
		if r != ref {
			out = append(out, r)
		}
	}
	return out
}
