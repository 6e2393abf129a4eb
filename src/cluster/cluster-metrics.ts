import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** What the cluster gauges read at scrape time. */
export interface ClusterFigures {
  membersPerLocation(): ReadonlyMap<string, number>;
  ownedMonitors(): number;
  databaseUp(): boolean;
}

/** stepwatch_cluster_members{location}, stepwatch_cluster_owned_monitors and stepwatch_cluster_database_up, on the daemon's registry. */
export function registerClusterMetrics(registry: Registry, figures: ClusterFigures): void {
  new Gauge({
    name: 'stepwatch_cluster_members',
    help: 'Live instances (heartbeat within 15 s) per location, as this instance last read them.',
    labelNames: ['location'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [location, count] of figures.membersPerLocation()) this.set({ location }, count);
    },
  });
  new Gauge({
    name: 'stepwatch_cluster_owned_monitors',
    help: 'Monitors this instance owns in its location (rendezvous over the live members).',
    registers: [registry],
    collect() {
      this.set(figures.ownedMonitors());
    },
  });
  new Gauge({
    name: 'stepwatch_cluster_database_up',
    help: '1 while the cluster database answers this instance; 0 while it does not, and then this instance claims and runs no ticks.',
    registers: [registry],
    collect() {
      this.set(figures.databaseUp() ? 1 : 0);
    },
  });
}
