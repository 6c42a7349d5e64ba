import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const entry = process.argv[2] ?? `export * from 'flagstage'; export * from 'flagstage/hono';`;
const r = await build({ stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, write: false, minify: true, format: 'esm', platform: 'neutral', target: 'es2022', conditions: ['workerd','worker','browser','source'], mainFields: ['browser','module','main'], external: ['hono','hono/*'], metafile: true, logLevel: 'error' });
const code = r.outputFiles[0]!.contents;
console.log('total', code.byteLength, gzipSync(code).byteLength);
const out = Object.values(r.metafile.outputs)[0]!;
for (const [f, i] of Object.entries(out.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput)) console.log(String(i.bytesInOutput).padStart(7), f);
