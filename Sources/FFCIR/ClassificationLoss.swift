/// What makes a loss a classification loss: it scores logits against labels, so a prediction can
/// be read off the logits and training reports accuracy beside the loss.
public struct ClassificationLoss: Sendable {
  public enum Prediction: Sendable {
    /// The largest logit of a row is the predicted class; the labels are class indices.
    case largestLogit
    /// A logit above 0 predicts a target of at least 0.5; the targets are probabilities.
    case positiveLogit
  }

  /// The operands that hold the logits and the labels.
  public let logits: Int
  public let labels: Int
  public let prediction: Prediction

  public init(logits: Int, labels: Int, prediction: Prediction) {
    self.logits = logits
    self.labels = labels
    self.prediction = prediction
  }
}
