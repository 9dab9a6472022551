/** The JupyterLab plugin: registers the nncards-widget models and view with the widget manager. */

import { Application, IPlugin } from '@lumino/application';
import { Widget } from '@lumino/widgets';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import { CardModel, NetworkEditorModel, WireModel } from './models';
import { NetworkEditorView } from './view';
import { MODULE_NAME, MODULE_VERSION } from './version';

const plugin: IPlugin<Application<Widget>, void> = {
  id: 'nncards-widget:plugin',
  description: 'Card canvas for composing Keras networks',
  requires: [IJupyterWidgetRegistry as any],
  autoStart: true,
  activate: (_app: Application<Widget>, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: {
        NetworkEditorModel,
        NetworkEditorView,
        CardModel,
        WireModel
      } as any
    });
  }
};

export default plugin;
