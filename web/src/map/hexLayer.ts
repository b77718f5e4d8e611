/**
 * The demand cells as a MapLibre custom layer: every hexagon is triangulated once into a WebGL
 * buffer and recoloured by rewriting one colour buffer. A GeoJSON source would send ~15,000
 * polygons through a worker to be cut into tiles, and each restyle would re-evaluate the paint
 * expression for every feature of every tile; on software GL that took 3 s to first draw and
 * ~270 ms per restyle. Here the first draw follows the map's first frame and a restyle is one
 * buffer upload.
 *
 * Positions are stored relative to the cells' own centre in Web Mercator units and the centre is
 * folded into the matrix in double precision, so hexagons stay exact at street zoom (float32 of
 * absolute mercator coordinates would be ~2 m coarse).
 */
import { cellToBoundary } from 'h3-js';
import type { CustomLayerInterface, CustomRenderMethodInput, Map as MapLibreMap } from 'maplibre-gl';

const VERTEX = `#version 300 es
uniform mat4 u_matrix;
uniform float u_opacity;
in vec2 a_pos;
in vec4 a_colour;
out vec4 v_colour;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  v_colour = a_colour * u_opacity;
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 v_colour;
out vec4 fragColour;
void main() { fragColour = v_colour; }`;

/** MapLibre's world is 512 px wide at zoom 0. */
const TILE_SIZE = 512;

const mercatorX = (lon: number) => (lon + 180) / 360;
const mercatorY = (lat: number) => {
  const s = Math.sin((lat * Math.PI) / 180);
  return 0.5 - (0.25 * Math.log((1 + s) / (1 - s))) / Math.PI;
};

/** Hexagon (and pentagon) outlines as fans: vertex positions, triangle indices, first vertex of each cell. */
export function triangulate(h3: readonly string[]): { origin: [number, number]; positions: Float32Array; indices: Uint32Array; firstVertex: Uint32Array } {
  const rings = h3.map((id) => cellToBoundary(id));
  let vertices = 0;
  let triangles = 0;
  for (const ring of rings) {
    vertices += ring.length;
    triangles += ring.length - 2;
  }
  let sx = 0;
  let sy = 0;
  for (const ring of rings) {
    sx += mercatorX(ring[0][1]);
    sy += mercatorY(ring[0][0]);
  }
  const origin: [number, number] = rings.length ? [sx / rings.length, sy / rings.length] : [0.5, 0.5];
  const positions = new Float32Array(vertices * 2);
  const indices = new Uint32Array(triangles * 3);
  const firstVertex = new Uint32Array(rings.length + 1);
  let v = 0;
  let t = 0;
  rings.forEach((ring, i) => {
    firstVertex[i] = v;
    for (const [lat, lon] of ring) {
      positions[2 * v] = mercatorX(lon) - origin[0];
      positions[2 * v + 1] = mercatorY(lat) - origin[1];
      v++;
    }
    const first = firstVertex[i];
    for (let k = 1; k < ring.length - 1; k++) {
      indices[t++] = first;
      indices[t++] = first + k;
      indices[t++] = first + k + 1;
    }
  });
  firstVertex[rings.length] = v;
  return { origin, positions, indices, firstVertex };
}

/**
 * The map's matrix (world pixels → clip) times a scale to world pixels and a translation by the
 * origin, multiplied in float64: mercator offsets from the origin → clip.
 */
export function translated(m: ArrayLike<number>, worldSize: number, [ox, oy]: [number, number]): Float32Array {
  const out = new Float32Array(16);
  // column-major: scale columns 0–2, then the translation lands in column 3
  for (let r = 0; r < 4; r++) {
    out[r] = m[r] * worldSize;
    out[4 + r] = m[4 + r] * worldSize;
    out[8 + r] = m[8 + r] * worldSize;
    out[12 + r] = (m[r] * ox + m[4 + r] * oy) * worldSize + m[12 + r];
  }
  return out;
}

export class HexLayer implements CustomLayerInterface {
  readonly type = 'custom';
  readonly renderingMode = '2d';
  private map: MapLibreMap | null = null;
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private buffers: WebGLBuffer[] = [];
  private colourBuffer: WebGLBuffer | null = null;
  private mesh: ReturnType<typeof triangulate>;
  /** RGBA per vertex, premultiplied (MapLibre blends ONE, ONE_MINUS_SRC_ALPHA). */
  private colours: Uint8Array;
  private coloursDirty = true;
  private coloured = false;
  private opacity = 1;
  private drawnOnce = false;

  constructor(
    readonly id: string,
    h3: readonly string[],
    /** Called after the first frame that drew the cells. */
    private readonly onFirstDraw: () => void = () => {},
  ) {
    this.mesh = triangulate(h3);
    this.colours = new Uint8Array((this.mesh.positions.length / 2) * 4);
  }

  /** New colours, one premultiplied RGBA quadruple per cell in the order of the ids. */
  setColours(perCell: Uint8Array): void {
    const { firstVertex } = this.mesh;
    for (let i = 0; i + 1 < firstVertex.length; i++) {
      const r = perCell[4 * i], g = perCell[4 * i + 1], b = perCell[4 * i + 2], a = perCell[4 * i + 3];
      for (let v = firstVertex[i]; v < firstVertex[i + 1]; v++) {
        this.colours[4 * v] = r;
        this.colours[4 * v + 1] = g;
        this.colours[4 * v + 2] = b;
        this.colours[4 * v + 3] = a;
      }
    }
    this.coloursDirty = true;
    this.coloured = true;
    this.map?.triggerRepaint();
  }

  setOpacity(opacity: number): void {
    this.opacity = opacity;
    this.map?.triggerRepaint();
  }

  onAdd(map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const shader = (type: number, source: string) => {
      const s = gl.createShader(type)!;
      gl.shaderSource(s, source);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`cells shader: ${gl.getShaderInfoLog(s)}`);
      return s;
    };
    const program = gl.createProgram()!;
    gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, shader(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`cells program: ${gl.getProgramInfoLog(program)}`);
    this.program = program;

    this.vao = gl.createVertexArray();
    gl.bindVertexArray(this.vao);
    const positions = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, positions);
    gl.bufferData(gl.ARRAY_BUFFER, this.mesh.positions, gl.STATIC_DRAW);
    const pos = gl.getAttribLocation(program, 'a_pos');
    gl.enableVertexAttribArray(pos);
    gl.vertexAttribPointer(pos, 2, gl.FLOAT, false, 0, 0);
    this.colourBuffer = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colourBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, this.colours, gl.DYNAMIC_DRAW);
    this.coloursDirty = false;
    const colour = gl.getAttribLocation(program, 'a_colour');
    gl.enableVertexAttribArray(colour);
    gl.vertexAttribPointer(colour, 4, gl.UNSIGNED_BYTE, true, 0, 0);
    const indices = gl.createBuffer()!;
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, this.mesh.indices, gl.STATIC_DRAW);
    gl.bindVertexArray(null);
    this.buffers = [positions, this.colourBuffer, indices];
  }

  render(gl: WebGL2RenderingContext, args: CustomRenderMethodInput): void {
    if (!this.program || !this.vao) return;
    gl.useProgram(this.program);
    gl.bindVertexArray(this.vao);
    if (this.coloursDirty) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colourBuffer);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.colours);
      this.coloursDirty = false;
    }
    gl.uniformMatrix4fv(gl.getUniformLocation(this.program, 'u_matrix'), false, translated(args.modelViewProjectionMatrix, TILE_SIZE * 2 ** this.map!.getZoom(), this.mesh.origin));
    gl.uniform1f(gl.getUniformLocation(this.program, 'u_opacity'), this.opacity);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.drawElements(gl.TRIANGLES, this.mesh.indices.length, gl.UNSIGNED_INT, 0);
    gl.bindVertexArray(null);
    if (!this.drawnOnce && this.coloured) {
      this.drawnOnce = true;
      // the frame is on screen once this render pass ends
      requestAnimationFrame(() => this.onFirstDraw());
    }
  }

  onRemove(_map: MapLibreMap, gl: WebGL2RenderingContext): void {
    for (const b of this.buffers) gl.deleteBuffer(b);
    if (this.vao) gl.deleteVertexArray(this.vao);
    if (this.program) gl.deleteProgram(this.program);
    this.buffers = [];
    this.vao = null;
    this.program = null;
    this.map = null;
  }
}
