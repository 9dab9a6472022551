import * as fs from 'fs';
import * as path from 'path';
import { CardSpec } from '../src/types';

export const DENSE: CardSpec = {
  id: 'layer_Dense',
  title: 'Dense layer',
  category: ['Layers'],
  role: 'layer',
  keras_class: 'Dense',
  inputs: [
    {
      label: 'Units',
      name: 'units',
      type: 'Integer',
      multiplicity: '1',
      kind: 'param',
      default: null,
      optional: false,
      required: true,
      choices: null,
      minimum: 1
    },
    {
      label: 'Activation',
      name: 'activation',
      type: 'String',
      multiplicity: '1',
      kind: 'param',
      default: null,
      optional: true,
      primary: true,
      choices: ['relu', 'softmax', 'sigmoid', 'tanh', 'linear']
    },
    {
      label: 'Use bias',
      name: 'use_bias',
      type: 'Boolean',
      multiplicity: '1',
      kind: 'param',
      default: true,
      optional: false,
      primary: true
    },
    {
      label: 'Kernel initializer',
      name: 'kernel_initializer',
      type: 'NeuralNetworkInitializer',
      multiplicity: '1',
      kind: 'port'
    },
    { label: 'Input', name: 'input', type: 'NeuralNetworkTensor', multiplicity: '1', kind: 'port' }
  ],
  outputs: [
    { label: 'Layer instance', name: 'layer_instance', type: 'NeuralNetworkLayer' },
    { label: 'Output', name: 'output', type: 'NeuralNetworkTensor' }
  ]
};

export const INPUT: CardSpec = {
  id: 'input',
  title: 'Input',
  category: [],
  role: 'input',
  inputs: [
    { label: 'Name', name: 'name', type: 'String', kind: 'param', multiplicity: '1' },
    { label: 'Shape', name: 'shape', type: 'Integer', kind: 'param', multiplicity: 'n', minimum: 1 }
  ],
  outputs: [{ label: 'Output', name: 'output', type: 'NeuralNetworkTensor' }]
};

export const EMBEDDING: CardSpec = {
  id: 'layer_Embedding',
  title: 'Embedding layer',
  category: ['Layers'],
  keras_class: 'Embedding',
  inputs: [
    { label: 'Input dim', name: 'input_dim', type: 'Integer', kind: 'param', minimum: 1 },
    { label: 'Input length', name: 'input_length', type: 'Integer', kind: 'param', optional: true, minimum: 1 },
    { label: 'Input', name: 'input', type: 'NeuralNetworkTensor', kind: 'port' }
  ],
  outputs: [
    { label: 'Layer instance', name: 'layer_instance', type: 'NeuralNetworkLayer' },
    { label: 'Output', name: 'output', type: 'NeuralNetworkTensor' }
  ]
};

/** The project's real catalogue (the Python package's data file, next to js/). */
export function realCatalog(): CardSpec[] {
  // compiled to js/lib-test/js/test/: four levels up is the repository
  const p = path.resolve(__dirname, '..', '..', '..', '..', 'nncards_widget', 'catalog', 'cards.json');
  if (!fs.existsSync(p)) {
    throw new Error(`The catalogue is missing: ${p}`);
  }
  const data = JSON.parse(fs.readFileSync(p, 'utf8'));
  const cards = Array.isArray(data) ? data : data.cards;
  if (!Array.isArray(cards)) {
    throw new Error(`${p} holds no list of cards`);
  }
  return cards as CardSpec[];
}
