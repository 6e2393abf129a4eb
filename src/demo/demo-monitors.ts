import { fileURLToPath } from 'node:url';

/** The bundled demo monitors: src/demo/monitors, found the same way from src/ (tsx) and dist/ (built). */
export const DEMO_MONITORS_DIR = fileURLToPath(new URL('../../src/demo/monitors', import.meta.url));
