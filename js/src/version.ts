/** Module name and version the Python models refer to (`_model_module`, `_model_module_version`). */

declare const require: (path: string) => any;
const pkg = require('../package.json');

export const MODULE_NAME: string = pkg.name;
export const MODULE_VERSION: string = pkg.version;
