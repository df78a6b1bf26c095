package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
)

// renameInventory gives the simulator's generated objects (DC0_C0, DC0_C0_H0, DC0_DVPG0,
// LocalDS_0, …) the names of a real site, so an environment file written for that site resolves
// against the lab unchanged. Stock vcsim renames neither hosts nor port groups over the API.
func renameInventory(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if err := json.Unmarshal(data, &names); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	found := map[string]bool{}
	for _, kind := range []string{"Datacenter", "ClusterComputeResource", "HostSystem", "DistributedVirtualPortgroup", "Datastore", "Network"} {
		for _, obj := range simulator.Map.All(kind) {
			entity, ok := obj.(mo.Entity)
			if !ok {
				continue
			}
			e := entity.Entity()
			name, ok := names[e.Name]
			if !ok {
				continue
			}
			found[e.Name] = true
			simulator.Map.WithLock(obj, func() {
				e.Name = name
				switch o := obj.(type) {
				case *simulator.HostSystem:
					o.Summary.Config.Name = name
				case *simulator.DistributedVirtualPortgroup:
					// mo.Network's own Name shadows the entity's in property reads.
					o.Name = name
					o.Config.Name = name
					if summary := o.Summary.GetNetworkSummary(); summary != nil {
						summary.Name = name
					}
				case *simulator.Datastore:
					o.Summary.Name = name
					o.Info.GetDatastoreInfo().Name = name
				}
			})
		}
	}
	for old := range names {
		if !found[old] {
			return fmt.Errorf("no inventory object is named %s", old)
		}
	}
	return nil
}
