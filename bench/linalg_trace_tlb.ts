/** `npx tsx bench/linalg_trace_tlb.ts`: why the 4000² trace is ≈ 20 µs — 4000 reads over 4000 distinct pages (TLB misses) vs the same lines over 71 pages. */
const n = 4000, d = new Float64Array(n*n); for (let i=0;i<d.length;i++) d[i]=Math.random();
function strided(step:number){ let s=0; for(let i=0;i<n;i++) s+=d[i*step]!; return s; }
function best(f:()=>number){ let b=Infinity; for(let r=0;r<200;r++){const t=performance.now(); f(); b=Math.min(b,performance.now()-t);} return (b*1000).toFixed(1); }
for (const [name, step] of [['diagonal, stride n+1 = 32 KB (4000 pages)', n+1], ['stride 513 doubles ≈ 4 KB (4000 pages)', 513], ['stride 9 doubles = 72 B (4000 lines, 71 pages)', 9], ['contiguous (4000 doubles, 8 pages)', 1]] as const)
  console.log(name.padEnd(50), best(()=>strided(step)), 'µs');
