/** The network builders under one name (`nets.neuralIvpMlp`, `nets.ednnMlp`), as in the spec's API sketch. */
export { neuralIvpMlp, ednnMlp } from './net.ts';
