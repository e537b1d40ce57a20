import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b}from"./chunk-ZZ7VG7U3.js";import"./chunk-EBRV5ERX.js";import"./chunk-OOEDKO62.js";export{a as TRACE_COLUMNS,b as TraceCsvWriter};
