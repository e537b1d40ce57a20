import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as o,b as t,c as n}from"./chunk-A7VEKNXH.js";var E=0,p=1,s=2,c=3;function i(r){return r instanceof o||r instanceof n||r instanceof t}function f(r){if(i(r))return{code:s,message:r.message};let e=String(r?.message??r).split(`
`)[0];return{code:c,message:`internal error: ${e}`}}export{E as a,p as b,s as c,c as d,i as e,f};
