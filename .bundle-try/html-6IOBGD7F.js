import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{g as a,h as b}from"./chunk-5IACCFGU.js";import"./chunk-CKF624RR.js";import"./chunk-OOEDKO62.js";export{a as renderHtml,b as renderSweepHtml};
