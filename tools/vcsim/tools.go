package main

import (
	"path"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// toolsHook makes VMware Tools behave as in a booting guest: stock vcsim leaves every VM's Tools
// "not running" with a gray heartbeat forever. Registered as a registry handler, it sees every
// power-state change; `delay` after a power-on (if the VM is still on) Tools run and the heartbeat
// turns green; a power-off or suspend turns them back at once. VMs matching `never` keep the stock
// behaviour, which is how tests make a heartbeat that never comes.
type toolsHook struct {
	delay time.Duration
	never string

	mu          sync.Mutex
	generations map[types.ManagedObjectReference]uint64
}

func newToolsHook(delay time.Duration, never string) *toolsHook {
	return &toolsHook{delay: delay, never: never, generations: map[types.ManagedObjectReference]uint64{}}
}

func (h *toolsHook) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "DrctlLabToolsHook", Value: "tools-hook"}
}

func (h *toolsHook) PutObject(mo.Reference) {}

func (h *toolsHook) RemoveObject(ref types.ManagedObjectReference) {
	h.mu.Lock()
	delete(h.generations, ref)
	h.mu.Unlock()
}

func (h *toolsHook) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	vm, ok := obj.(*mo.VirtualMachine)
	if !ok || h.delay <= 0 {
		return
	}
	for _, change := range changes {
		if change.Name != "runtime.powerState" {
			continue
		}
		state, _ := change.Val.(types.VirtualMachinePowerState)
		ref := vm.Self
		// Every change starts a new generation, so a timer armed by an earlier power-on is void.
		h.mu.Lock()
		h.generations[ref]++
		generation := h.generations[ref]
		h.mu.Unlock()
		if state == types.VirtualMachinePowerStatePoweredOn {
			h.mu.Lock()
			never := h.never
			h.mu.Unlock()
			if matched, _ := path.Match(never, vm.Name); never != "" && matched {
				return
			}
			time.AfterFunc(h.delay, func() { h.apply(ref, generation, true) })
		} else {
			// Not synchronously: the power task holds the VM's lock while handlers run.
			go h.apply(ref, generation, false)
		}
		return
	}
}

// setNever changes, while the lab runs, which VMs' Tools never start (from their next power-on).
func (h *toolsHook) setNever(glob string) {
	h.mu.Lock()
	h.never = glob
	h.mu.Unlock()
}

func (h *toolsHook) apply(ref types.ManagedObjectReference, generation uint64, running bool) {
	h.mu.Lock()
	current := h.generations[ref]
	h.mu.Unlock()
	if current != generation {
		return
	}
	obj := simulator.Map.Get(ref)
	if obj == nil {
		return
	}
	runningStatus := string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
	toolsStatus := types.VirtualMachineToolsStatusToolsNotRunning
	heartbeat := types.ManagedEntityStatusGray
	if running {
		runningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
		toolsStatus = types.VirtualMachineToolsStatusToolsOk
		heartbeat = types.ManagedEntityStatusGreen
	}
	simulator.Map.WithLock(obj, func() {
		simulator.Map.Update(obj, []types.PropertyChange{
			{Name: "guest.toolsRunningStatus", Val: runningStatus},
			{Name: "guest.toolsStatus", Val: toolsStatus},
			{Name: "guestHeartbeatStatus", Val: heartbeat},
			{Name: "summary.quickStats.guestHeartbeatStatus", Val: heartbeat},
		})
	})
}
