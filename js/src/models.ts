/**
 * Widget models mirroring the Python classes of nncards_widget (see docs/protocol.md):
 * NetworkEditor -> NetworkEditorModel, Card -> CardModel, Wire -> WireModel.
 */

import { CytoscapeModel, EdgeModel, NodeModel } from 'jupyter-cytoscape';
import { applyStates, isStatesMessage } from './states';
import { MODULE_NAME, MODULE_VERSION } from './version';

export class NetworkEditorModel extends CytoscapeModel {
  initialize(attributes: any, options: any): void {
    super.initialize(attributes, options);
    // the kernel's batched states of card and wire models (live shapes, previews): applied by
    // the model, so that they arrive whether or not a view is shown
    this.on('msg:custom', (msg: any) => {
      if (isStatesMessage(msg)) {
        void applyStates(async id => this.widget_manager.get_model(id), msg.states);
      }
    });
  }

  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: NetworkEditorModel.model_name,
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: NetworkEditorModel.view_name,
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      catalog: [],
      total_params: null
    };
  }

  static model_name = 'NetworkEditorModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
  static view_name = 'NetworkEditorView';
  static view_module = MODULE_NAME;
  static view_module_version = MODULE_VERSION;
}

export class CardModel extends NodeModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: CardModel.model_name,
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      card_id: '',
      name: '',
      output_shape: null,
      param_count: null,
      error: '',
      stale: false,
      preview: {}
    };
  }

  static model_name = 'CardModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
}

export class WireModel extends EdgeModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: WireModel.model_name,
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      shape: ''
    };
  }

  static model_name = 'WireModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
}
