pub fn parse_with_lines(_t:&str,_f:&str)->Result<(serde_json::Value,std::collections::HashMap<String,u32>),crate::input::InputError>{unimplemented!()}
