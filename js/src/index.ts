export * from './version';
export { NetworkEditorModel, CardModel, WireModel } from './models';
export { NetworkEditorView } from './view';
