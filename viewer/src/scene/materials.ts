/** The few materials every storey shares: rooms, opaque context, transparent context, X-ray ghost. */
import { DoubleSide, MeshLambertMaterial } from "three";

export class Materials {
  readonly rooms = new MeshLambertMaterial({
    vertexColors: true,
    flatShading: true,
    side: DoubleSide,
    polygonOffset: true,
    polygonOffsetFactor: 1,
    polygonOffsetUnits: 1,
  });
  /** Rooms while walking through them. */
  readonly roomsGhost = new MeshLambertMaterial({
    vertexColors: true,
    flatShading: true,
    side: DoubleSide,
    transparent: true,
    opacity: 0.25,
    depthWrite: false,
    forceSinglePass: true,
  });
  readonly opaque = new MeshLambertMaterial({ vertexColors: true, flatShading: true, side: DoubleSide });
  readonly transparent = new MeshLambertMaterial({
    vertexColors: true,
    flatShading: true,
    side: DoubleSide,
    transparent: true,
    opacity: 0.35,
    depthWrite: false,
    forceSinglePass: true, // one draw call, not a back and a front pass
  });
  /** What the opaque context becomes in X-ray mode. */
  readonly ghost = new MeshLambertMaterial({
    vertexColors: true,
    flatShading: true,
    side: DoubleSide,
    transparent: true,
    opacity: 0.1,
    depthWrite: false,
    forceSinglePass: true,
  });

  dispose(): void {
    for (const material of [this.rooms, this.roomsGhost, this.opaque, this.transparent, this.ghost]) material.dispose();
  }
}
