import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{createRequire as e}from"node:module";var o=e(import.meta.url)("../package.json"),t=o.version;export{t as a};
