import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-EJT3ZDT3.js";import"./chunk-OOEDKO62.js";export{a as CATALOG_AS_OF,e as CATALOG_INTRA_REGION_RTT_MS,c as CATALOG_NETWORK_DEFAULTS,b as CATALOG_PROVIDERS,d as CATALOG_RTT_MS,f as defaultCatalog};
